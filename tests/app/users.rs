//! Users and tokens are the administrator's alone.

use onsite::domain::access::{Actor, Caller, Need, Source, UserRole};
use onsite::store::users::NewUser;
use secrecy::{ExposeSecret, SecretString};

use crate::world::{World, denied, not_found, refused};

fn new_user(name: &str) -> NewUser {
    NewUser {
        username: name.into(),
        password: Some(SecretString::from("a long enough password")),
        role: UserRole::Manager,
        unit_id: None,
    }
}

async fn admin(w: &World) -> Caller {
    let new = NewUser { username: "root".into(), password: None, role: UserRole::Admin, unit_id: None };
    let u = w.store.create_user(&onsite::domain::access::By::operator("test"), new, w.clock_now()).await.unwrap();
    Caller::User(Actor {
        user_id: u.id,
        username: u.username,
        role: UserRole::Admin,
        unit_id: None,
        source: Source::Web,
        address: None,
    })
}

#[tokio::test]
async fn an_administrator_creates_a_user_issues_a_token_and_revokes_it() {
    let w = World::new().await;
    let admin = admin(&w).await;
    let u = w.core.create_user(&admin, new_user("zhangsan")).await.unwrap();
    let secret = w.core.create_token(&admin, u.id, "报表脚本").await.unwrap();
    let listed = w.core.users(&admin).await.unwrap();
    let (_, tokens) = listed.iter().find(|(user, _)| user.id == u.id).expect("the new user is listed");
    assert_eq!(tokens.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), vec!["报表脚本"]);
    let now = w.clock_now();
    assert!(w.store.authenticate_token(secret.expose_secret(), Source::Api, now).await.unwrap().is_some());
    assert_eq!(w.core.revoke_tokens(&admin, u.id).await.unwrap(), 1);
    assert!(w.store.authenticate_token(secret.expose_secret(), Source::Api, now).await.unwrap().is_none());
}

#[tokio::test]
async fn the_bureau_itself_manages_no_users_and_a_token_needs_a_name() {
    let w = World::new().await;
    denied(w.core.create_user(&w.bureau, new_user("lisi")).await, Need::Admin);
    let admin = admin(&w).await;
    let u = w.core.create_user(&admin, new_user("lisi")).await.unwrap();
    denied(w.core.create_token(&w.bureau, u.id, "x").await, Need::Admin);
    denied(w.core.revoke_tokens(&w.engineer, u.id).await, Need::Admin);
    refused(w.core.create_token(&admin, u.id, " ").await, "required");
    not_found(w.core.create_token(&admin, 9_999, "x").await);
}
