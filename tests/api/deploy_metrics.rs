//! The Grafana dashboard and the Prometheus rules in `deploy/` ask only for
//! what onsite exports: every `onsite_…` name their queries use is recorded
//! by the code, and those a notice lived through to its breach produces are
//! in a scrape of `/metrics` under that name (a histogram as `_bucket`).

use std::collections::BTreeSet;

use chrono::Duration;
use regex::Regex;

use crate::escalation::paged_unit;
use crate::helpers::TestApp;
use crate::receiver::Receiver;

crate::tests! { once: [the_dashboard_and_the_alert_rules_name_only_exported_metrics], }

fn names_in(text: &str) -> BTreeSet<String> {
    Regex::new(r"onsite_[a-z_]+").unwrap().find_iter(text).map(|m| m.as_str().to_owned()).collect()
}

/// Every metric name the product's code records.
fn recorded() -> BTreeSet<String> {
    let call = Regex::new(r#"(counter|gauge|histogram)!\(\s*"(onsite_[a-z_]+)""#).unwrap();
    let mut names = BTreeSet::new();
    let mut dirs = vec![std::path::PathBuf::from("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                names.extend(call.captures_iter(&text).map(|c| c[2].to_owned()));
            }
        }
    }
    names
}

/// A metric's exposed name as the dashboard queries it: a histogram's bucket
/// series is the histogram's.
fn metric(queried: &str) -> &str {
    queried.strip_suffix("_bucket").unwrap_or(queried)
}

async fn the_dashboard_and_the_alert_rules_name_only_exported_metrics() {
    let dashboard: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("deploy/grafana/onsite.json").unwrap())
            .expect("the dashboard is JSON");
    let exprs: Vec<&str> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["targets"].as_array().unwrap().iter().map(|t| t["expr"].as_str().unwrap()))
        .collect();
    assert!(exprs.len() >= 10, "a panel per metric family");
    let mut queried = names_in(&exprs.join("\n"));
    queried.extend(names_in(&std::fs::read_to_string("deploy/prometheus/onsite-rules.yaml").unwrap()));
    // The heartbeat panel selects its counters by a name pattern.
    queried.retain(|n| n != "onsite_heartbeats_");
    queried.extend(
        ["onsite_heartbeats_sent_total", "onsite_heartbeats_withheld_total", "onsite_heartbeats_failed_total"]
            .map(String::from),
    );
    let recorded = recorded();
    for name in &queried {
        assert!(recorded.contains(metric(name)), "{name} is queried but nothing records it; recorded: {recorded:?}");
    }

    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await.expect("sqlite app");
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    app.issue(&[unit], true).await;
    app.tick().await;
    app.clock.advance(Duration::hours(3));
    app.tick().await;
    let scrape = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let exposed = names_in(&scrape);
    for name in [
        "onsite_pages_total",
        "onsite_pages_queued",
        "onsite_pages_oldest_due_seconds",
        "onsite_timers_pending",
        "onsite_timers_fired_total",
        "onsite_timer_lateness_seconds_bucket",
        "onsite_breaches_total",
    ] {
        assert!(queried.contains(name), "{name} is on the dashboard or in the rules");
        assert!(exposed.contains(name), "{name} is not in /metrics after a notice breached:\n{scrape}");
    }
}
