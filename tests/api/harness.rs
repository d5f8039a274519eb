//! This binary's trials (over `support/trials.rs`): a test taking an app
//! runs once per backend, and a PostgreSQL trial is reported as *ignored*,
//! not passed, when no server answers outside CI.

use libtest_mimic::Trial;

use crate::helpers::{Backend, TestApp};
use crate::trials::{Body, Needs, block_on};

/// `module::test` without the binary's own name.
fn named(module: &str, parts: &[&str]) -> String {
    let module = module.split_once("::").map_or(module, |(_, rest)| rest);
    std::iter::once(module).chain(parts.iter().copied()).collect::<Vec<_>>().join("::")
}

/// One trial per backend of a test that takes a fresh app.
pub fn both(module: &str, name: &str, test: fn(TestApp) -> Body) -> [Trial; 2] {
    let on = |backend: Backend| {
        move || {
            block_on(Box::pin(async move {
                let app = TestApp::spawn(backend).await.expect("the test database");
                test(app).await;
            }));
            Ok(())
        }
    };
    [
        Trial::test(named(module, &["sqlite", name]), on(Backend::Sqlite)),
        Trial::test(named(module, &["postgres", name]), on(Backend::Postgres))
            .with_ignored_flag(Needs::Postgres.missing()),
    ]
}

/// One trial per backend of a test that starts its own app (configured
/// for a fake vendor, say) on the backend it is given.
pub fn backends(module: &str, name: &str, test: fn(Backend) -> Body) -> [Trial; 2] {
    let on = |backend: Backend| {
        move || {
            block_on(test(backend));
            Ok(())
        }
    };
    [
        Trial::test(named(module, &["sqlite", name]), on(Backend::Sqlite)),
        Trial::test(named(module, &["postgres", name]), on(Backend::Postgres))
            .with_ignored_flag(Needs::Postgres.missing()),
    ]
}

/// A test that sets itself up; `postgres` marks one that needs the server.
pub fn once(module: &str, name: &str, postgres: bool, test: fn() -> Body) -> Trial {
    let needs = if postgres { Needs::Postgres } else { Needs::Nothing };
    crate::trials::test(named(module, &[name]), needs, test)
}

/// The module's trials: `both` take an app per backend, `backends` a
/// backend to start their own app on, `once` set
/// themselves up on SQLite or none, `postgres` need the server (each
/// section ends with a comma).
#[macro_export]
macro_rules! tests {
    ($(both: [$($both:ident),* $(,)?],)? $(backends: [$($backend:ident),* $(,)?],)? $(once: [$($once:ident),* $(,)?],)? $(postgres: [$($pg:ident),* $(,)?],)?) => {
        pub fn trials() -> Vec<libtest_mimic::Trial> {
            std::iter::empty()
            $($(.chain($crate::harness::both(module_path!(), stringify!($both), |app| Box::pin($both(app)))))*)?
            $($(.chain($crate::harness::backends(module_path!(), stringify!($backend), |b| Box::pin($backend(b)))))*)?
            $($(.chain([$crate::harness::once(module_path!(), stringify!($once), false, || Box::pin($once()))]))*)?
            $($(.chain([$crate::harness::once(module_path!(), stringify!($pg), true, || Box::pin($pg()))]))*)?
            .collect()
        }
    };
}

/// Each listed test on a fresh SQLite file and on a fresh PostgreSQL database.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $crate::tests! { both: [$($name),*], }
    };
}
