//! What the engine forgets with time (`[retention]`): settled pages after
//! 180 days, web sessions 30 days after they expired, handled Telegram
//! updates after 30 days; never a page still to send, nor an assignment,
//! its timeline or the audit log.

use chrono::Duration;
use sea_orm::{ConnectionTrait, Statement};

use crate::escalation::paged_unit;
use crate::helpers::TestApp;
use crate::receiver::Receiver;
use crate::web::Web;

crate::on_both_backends!(settled_rows_are_forgotten_once_past_their_retention);

async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = app.state.store.db();
    let sql = format!("SELECT COUNT(*) FROM {sql}");
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn kept(app: &TestApp) -> [i64; 3] {
    [count(app, "assignments").await, count(app, "timeline_events").await, count(app, "audit_log").await]
}

async fn settled_rows_are_forgotten_once_past_their_retention(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    app.issue(&[unit], true).await;
    app.tick().await;
    let sent = count(&app, "pages WHERE status = 'sent'").await;
    assert!(sent > 0, "pages were sent");
    Web::sign_in(&app, "duty").await;
    app.telegram.text(5551, "/start", None);
    app.bot_step().await;
    assert_eq!(count(&app, "telegram_updates WHERE handled_at IS NOT NULL").await, 1);
    let before = kept(&app).await;

    // 31 days on: the expired session and the handled update go; the pages stay.
    app.clock.advance(Duration::days(31));
    onsite::engine::retention::forget(&app.state).await;
    let fresh = Web::sign_in(&app, "duty").await;
    assert_eq!(count(&app, "web_sessions").await, 1, "only the session signed in now");
    onsite::engine::retention::forget(&app.state).await;
    assert_eq!(fresh.get("/board").await.0, reqwest::StatusCode::OK, "a live session is kept");
    assert_eq!(count(&app, "telegram_updates").await, 0);
    assert_eq!(count(&app, "pages WHERE status = 'sent'").await, sent);

    // 181 days on: the settled pages go too, but not a page still queued.
    app.clock.advance(Duration::days(150));
    app.issue(&[unit], true).await;
    let queued = count(&app, "pages WHERE status = 'queued'").await;
    assert!(queued > 0);
    onsite::engine::retention::forget(&app.state).await;
    assert_eq!(count(&app, "pages WHERE status = 'sent'").await, 0);
    assert_eq!(count(&app, "pages WHERE status = 'queued'").await, queued);
    let [assignments, events, audit] = kept(&app).await;
    assert!(assignments > before[0] && events >= before[1] && audit >= before[2], "history is kept");
}
