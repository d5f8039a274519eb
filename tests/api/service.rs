//! The service around the API: health, readiness, the OpenAPI document and
//! the landing page.

use reqwest::StatusCode;

use crate::helpers::TestApp;

crate::on_both_backends!(health_readiness_openapi_and_landing_page_are_served);

async fn health_readiness_openapi_and_landing_page_are_served(app: TestApp) {
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);

    let doc: serde_json::Value =
        app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/units",
        "/api/v1/units/{id}/branches",
        "/api/v1/units/{id}/people",
        "/api/v1/people/{id}/channels",
        "/api/v1/notices",
        "/api/v1/notices/{id}",
        "/api/v1/assignments/{id}",
        "/api/v1/assignments/{id}/events",
        "/api/v1/assignments/{id}/extend",
        "/api/v1/assignments/{id}/stand-down",
        "/api/v1/assignments/{id}/timeline",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // Enumerations are documented with the codes the API sends and takes.
    let roles = &doc["components"]["schemas"]["Role"]["enum"];
    assert_eq!(roles[0], "liaison", "{roles}");
    assert!(doc["components"]["schemas"]["ChannelKind"]["enum"].as_array().unwrap().contains(&"sms".into()));
    // Two views of different shapes must not share a schema name (the
    // report period and the protection period once did: schemathesis saw it).
    let protection = &doc["components"]["schemas"]["ProtectionPeriodView"]["required"];
    assert!(protection.as_array().unwrap().contains(&"starts_at".into()), "{protection}");
    let report = &doc["components"]["schemas"]["PeriodView"]["required"];
    assert!(report.as_array().unwrap().contains(&"from".into()), "{report}");
    // Every refusal the server can give is documented as problem+json.
    let events = &doc["paths"]["/api/v1/assignments/{id}/events"]["post"]["responses"];
    for status in ["400", "401", "403", "404", "409", "413", "415", "422"] {
        assert!(events[status]["content"]["application/problem+json"].is_object(), "{status}: {events}");
    }

    for path in ["/", "/api/v1/units", "/no-such-page", "/a/forged.token"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("script-src 'self' 'unsafe-inline'"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
    }

    let page = app.client.get(app.url("/")).send().await.unwrap();
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("应急响应"));
    assert!(html.contains("2026-11-25 03:00"), "the page shows Shanghai time: {html}");
}
