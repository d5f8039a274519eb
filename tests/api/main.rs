//! Integration tests of the API, each on a fresh SQLite file and on a fresh
//! PostgreSQL database, against the real server on a loopback port. The
//! binary has its own harness (`harness.rs`) so that a PostgreSQL test with
//! no server to run on is reported as ignored, not as passed.

mod access;
mod access_matrix;
mod action_links;
mod attachments;
mod audit;
mod backups;
mod bad_input;
mod board;
mod channels;
mod closure;
mod connections;
mod demo;
mod deploy_metrics;
mod dingtalk;
mod duties;
mod error_pages;
mod escalation;
mod evidence_pages;
#[path = "../support/fake_dingtalk.rs"]
mod fake_dingtalk;
#[path = "../support/fake_feishu.rs"]
mod fake_feishu;
#[path = "../support/fake_telegram.rs"]
mod fake_telegram;
#[path = "../support/fake_voice.rs"]
mod fake_voice;
#[path = "../support/fake_wecom.rs"]
mod fake_wecom;
mod feishu;
mod flow;
mod harness;
mod heartbeat;
mod helpers;
mod instances;
mod instructions;
mod listing;
mod outbox;
#[path = "../support/postgres.rs"]
mod postgres;
mod profiles;
mod protection;
#[path = "../support/receiver.rs"]
mod receiver;
mod registry_sheet;
mod reports;
mod retention;
mod rosters;
#[path = "../support/s3.rs"]
mod s3;
mod scorecard;
mod screening;
mod service;
mod sign_in;
mod sms_replies;
mod telegram;
mod test_pages;
mod threats;
#[path = "../support/trials.rs"]
mod trials;
mod voice;
mod web;
mod wecom;
mod work_reports;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let trials = [
        access::trials(),
        access_matrix::trials(),
        action_links::trials(),
        attachments::trials(),
        attachments::s3_trials(),
        audit::trials(),
        backups::trials(),
        bad_input::trials(),
        board::trials(),
        channels::trials(),
        closure::trials(),
        connections::trials(),
        demo::trials(),
        deploy_metrics::trials(),
        dingtalk::trials(),
        duties::trials(),
        error_pages::trials(),
        evidence_pages::trials(),
        heartbeat::trials(),
        escalation::trials(),
        feishu::trials(),
        flow::trials(),
        instructions::trials(),
        work_reports::trials(),
        listing::trials(),
        instances::trials(),
        outbox::trials(),
        profiles::trials(),
        protection::trials(),
        registry_sheet::trials(),
        reports::trials(),
        retention::trials(),
        rosters::trials(),
        scorecard::trials(),
        screening::trials(),
        service::trials(),
        sign_in::trials(),
        sms_replies::trials(),
        telegram::trials(),
        test_pages::trials(),
        threats::trials(),
        threats::validator_trials(),
        voice::trials(),
        web::trials(),
        wecom::trials(),
    ];
    libtest_mimic::run(&args, trials.into_iter().flatten().collect()).exit();
}
