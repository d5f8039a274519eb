//! The live board as many people watch it: one rendering per scope for each
//! change, fanned out to every open board and `GET /board`, each viewer
//! seeing only their own scope's rows.

use std::time::Duration;

use onsite::domain::access::UserRole;
use reqwest::StatusCode;

use crate::helpers::TestApp;
use crate::web::Web;

crate::on_both_backends!(many_open_boards_share_one_rendering_per_scope_and_see_only_their_own);

const TITLE: &str = "某门户网站首页被篡改";

/// The next board event's data on an open stream.
async fn next_board(stream: &mut reqwest::Response) -> String {
    let mut text = String::new();
    let read = async {
        loop {
            let chunk = stream.chunk().await.unwrap().expect("the stream stays open");
            text.push_str(&String::from_utf8_lossy(&chunk));
            if let Some(at) = text.find("event: board")
                && let Some(end) = text[at..].find("\n\n")
            {
                return text[at..at + end].to_owned();
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read).await.expect("a board event")
}

async fn many_open_boards_share_one_rendering_per_scope_and_see_only_their_own(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("卫士").await);
    app.user_token("anduser", UserRole::Unit, Some(a.id)).await;
    app.user_token("weishi", UserRole::Unit, Some(b.id)).await;
    let viewers = [("duty", 8), ("anduser", 4), ("weishi", 4)];
    let mut streams = Vec::new();
    for (user, n) in viewers {
        let web = Web::sign_in(&app, user).await;
        for _ in 0..n {
            let mut events = web.client.get(format!("{}/board/events", web.base)).send().await.unwrap();
            assert_eq!(events.status(), StatusCode::OK);
            next_board(&mut events).await;
            streams.push((user, events));
        }
    }
    let before = app.state.board.renders();
    app.issue(&[a.id], true).await;
    for (user, events) in &mut streams {
        let update = next_board(events).await;
        let sees = update.contains(TITLE);
        assert_eq!(sees, *user != "weishi", "{user} sees {}", if sees { "the notice" } else { "nothing new" });
    }
    let renders = app.state.board.renders() - before;
    assert!((1..=3).contains(&renders), "16 open boards in three scopes, {renders} renderings");

    // A page load in the same scope is served the same rendering.
    let web = Web::sign_in(&app, "anduser").await;
    let (status, page) = web.get("/board").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(TITLE));
    assert_eq!(app.state.board.renders() - before, renders, "no rendering of its own");
}
