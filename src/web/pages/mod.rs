//! HTML pages: the landing page that `onsite serve` points people to, and the
//! phone page behind action links. The bureau's board and forms grow here.

pub mod action;
pub mod text;

use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;

use crate::AppState;
use crate::domain::duration::format_local;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(landing)).merge(action::router())
}

async fn landing(State(state): State<AppState>) -> Html<String> {
    let now = format_local(state.clock.now(), state.tz);
    Html(format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>onsite 应急响应派单与时限跟踪</title></head>
<body style="font-family: system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6">
<h1>onsite 应急响应派单与时限跟踪</h1>
<p>Emergency-response dispatch and SLA tracker.</p>
<p>服务运行中 · 当前时间（{zone}）：{now}</p>
<ul>
<li>接口文档 OpenAPI：<a href="/api/v1/openapi.json">/api/v1/openapi.json</a></li>
<li>健康检查 Health：<a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a></li>
</ul>
</body></html>"#,
        zone = state.tz.name(),
    ))
}
