//! A notice's page: each assignment's clock, milestones, timeline and pages,
//! with the forms of the bureau's actions and the unit's milestone report
//! (posted to `assignment_forms`); and the list of notices.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::Chrome;
use super::error::PageError;
use super::files::FileList;
use super::view::{ClockView, MilestoneView, reportable};
use crate::AppState;
use crate::domain::access::UserRole;
use crate::domain::attachment::Subject;
use crate::domain::duration::{format_duration, format_local};
use crate::domain::labels::Lang;
use crate::domain::record::{Notice, TimelineEvent};
use crate::domain::timeline::EventData;
use crate::store::notices::{NoticeFilter, NoticeRecord};
use crate::web::session::SignedIn;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notices", get(list))
        .route("/notices/{id}", get(show))
        .route("/assignments/{id}", get(assignment))
}

pub struct NoticeHead {
    pub id: i64,
    pub title: String,
    pub category: &'static str,
    pub severity: &'static str,
    pub severity_code: &'static str,
    pub target: String,
    pub target_kind: &'static str,
    /// The registered detection object, linked to its page.
    pub enterprise_id: Option<i64>,
    pub site: String,
    pub issued_at: String,
    pub description: String,
}

pub struct EventRow {
    pub at: String,
    pub kind: String,
    pub actor: String,
    pub source: &'static str,
    pub note: Option<String>,
}

pub struct PageRow {
    pub recipient: String,
    pub channel: String,
    pub reason: String,
    pub status: String,
    pub attempts: i32,
    /// When it was sent, and how long after it was queued.
    pub sent_at: String,
    /// What the provider reported later (delivered, read, answered), and
    /// how long after the send.
    pub receipt: Option<String>,
    /// What the last failure means, in the reader's language.
    pub error: Option<&'static str>,
    /// The provider's own words, shown to administrators only.
    pub detail: Option<String>,
}

pub struct AssignmentCard {
    pub id: i64,
    pub unit_id: i64,
    pub unit: String,
    pub branch: Option<String>,
    pub sla_code: &'static str,
    pub sla_label: &'static str,
    pub status: &'static str,
    pub open: bool,
    pub pending: bool,
    pub can_report: bool,
    pub notified: String,
    pub deadline: String,
    pub deadline_ms: i64,
    pub at_risk_secs: i64,
    pub remaining: String,
    pub original_deadline: String,
    pub extensions: i32,
    pub stand_down_reason: Option<String>,
    /// The extend form's starting value: 30 minutes past the deadline.
    pub suggested_extension: String,
    pub milestones: Vec<MilestoneView>,
    pub timeline: Vec<EventRow>,
    /// Pages that could not be delivered, folded apart so they never bury
    /// the milestones.
    pub deliveries: Vec<EventRow>,
    pub pages: Vec<PageRow>,
    /// Its milestones' and closure report's files.
    pub files: FileList,
}

pub struct UnitOption {
    pub id: i64,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "notice.html")]
struct NoticePage {
    chrome: Chrome,
    n: NoticeHead,
    assignments: Vec<AssignmentCard>,
    all_units: Vec<UnitOption>,
    /// The special report the notice was issued from, and its label.
    from_report: Option<(i64, &'static str)>,
    /// The notice's own files (the bureau's 通报).
    files: FileList,
    flash: Option<String>,
}

fn head(n: &Notice, lang: Lang, tz: chrono_tz::Tz) -> NoticeHead {
    NoticeHead {
        id: n.id,
        title: n.title.clone(),
        category: n.category.label(lang),
        severity: n.severity.label(lang),
        severity_code: n.severity.code(),
        target: n.target_name.clone(),
        target_kind: n.target_kind.label(lang),
        enterprise_id: n.enterprise_id,
        site: match (n.site_lat, n.site_lon) {
            (Some(lat), Some(lon)) => format!("{} ({lat:.5}, {lon:.5})", n.site_address),
            _ => n.site_address.clone(),
        },
        issued_at: format_local(n.issued_at, tz),
        description: n.description.clone(),
    }
}

#[derive(Deserialize)]
struct Flash {
    done: Option<String>,
}

/// One timeline row; a failed delivery says to whom, on what, and why in
/// the reader's language.
fn event_row(e: TimelineEvent, lang: Lang, tz: chrono_tz::Tz) -> EventRow {
    let note = match &e.data {
        Some(EventData::PageFailed(f)) => {
            let why = f.failure.map_or("", |x| x.label(lang));
            let next = f.fell_over_to.map(|k| format!(" → {}", k.label(lang))).unwrap_or_default();
            Some(format!("{} · {} {why}{next}", f.recipient, f.channel.label(lang)))
        }
        Some(EventData::FileAdded(f)) => {
            let t = super::text::files(lang);
            let on = f.milestone.map_or(t.closure_report, |m| m.label(lang));
            let far = if f.far_from_site {
                f.distance_m.map(|d| format!("（{}，{}）", (t.distance)(d), t.far))
            } else {
                None
            };
            Some(format!("{on} · {}{}", e.note.unwrap_or_default(), far.unwrap_or_default()))
        }
        _ => e.note,
    };
    EventRow {
        at: format_local(e.at, tz),
        kind: e.kind.label(lang).to_owned(),
        actor: e.actor,
        source: e.source.label(lang),
        note,
    }
}

/// A time in the display zone with how long after `since` it came, as
/// `2026-11-25 03:00 (+4秒)`: how long a page waited, how long a call rang.
fn stamped(at: DateTime<Utc>, since: DateTime<Utc>, lang: Lang, tz: chrono_tz::Tz) -> String {
    format!("{} (+{})", format_local(at, tz), format_duration((at - since).num_seconds(), lang))
}

async fn show(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let session = &signed.session;
    let lang = session.lang;
    let reads = state.app.reads(&session.actor);
    let caller = session.caller();
    let NoticeRecord { notice, assignments } = reads.notice(id).await?;
    let unit_ids: Vec<i64> = assignments.iter().map(|a| a.unit_id).collect();
    let names = reads.unit_names(&unit_ids).await?;
    let now = state.clock.now();
    let mut cards = Vec::with_capacity(assignments.len());
    for a in assignments {
        let clock = ClockView::new(&a, lang, state.tz, now)?;
        let (deliveries, events): (Vec<_>, Vec<_>) =
            reads.timeline(a.id).await?.into_iter().partition(|e| e.kind.is_delivery_failure());
        let pages = reads.pages(a.id).await?;
        let can_report = session.actor.can_report_for(a.unit_id);
        let files = FileList::new(&state, lang, &state.app.assignment_files(&caller, a.id).await?, &session.csrf_token)
            .with_upload(can_report, format!("/assignments/{}/files", a.id))
            .on_assignment(&reportable(a.state.requires_onsite), lang);
        let branch = match a.branch_id {
            Some(b) => reads.branch(b).await?.map(|b| b.name),
            None => None,
        };
        cards.push(AssignmentCard {
            id: a.id,
            unit_id: a.unit_id,
            unit: names.get(&a.unit_id).cloned().unwrap_or_default(),
            branch,
            sla_code: clock.sla_code,
            sla_label: clock.sla_label,
            status: clock.status,
            open: clock.open,
            pending: clock.pending,
            can_report,
            notified: clock.notified,
            deadline: clock.deadline,
            deadline_ms: clock.deadline_ms,
            at_risk_secs: clock.at_risk_secs,
            remaining: clock.remaining,
            original_deadline: format_local(a.original_deadline_at, state.tz),
            extensions: a.extension_count,
            stand_down_reason: a.stand_down_reason.clone(),
            suggested_extension: (a.state.deadline_at.max(now) + chrono::Duration::minutes(30))
                .with_timezone(&state.tz)
                .format("%Y-%m-%dT%H:%M")
                .to_string(),
            milestones: clock.milestones,
            timeline: events.into_iter().map(|e| event_row(e, lang, state.tz)).collect(),
            deliveries: deliveries.into_iter().map(|e| event_row(e, lang, state.tz)).collect(),
            pages: pages
                .into_iter()
                .map(|p| PageRow {
                    recipient: p.recipient,
                    channel: p.channel_kind.label(lang).to_owned(),
                    reason: p.reason.label(lang).to_owned(),
                    status: p.status.label(lang).to_owned(),
                    attempts: p.attempts,
                    sent_at: p.sent_at.map(|t| stamped(t, p.created_at, lang, state.tz)).unwrap_or_default(),
                    receipt: p
                        .receipt
                        .zip(p.sent_at)
                        .map(|((r, at), sent)| format!("{} {}", r.label(lang), stamped(at, sent, lang, state.tz))),
                    error: p.failure.map(|f| f.label(lang)),
                    detail: p.last_error.filter(|_| session.actor.role == UserRole::Admin),
                })
                .collect(),
            files,
        });
    }
    let all_units = if session.actor.can_direct() {
        reads.units().await?.into_iter().map(|u| UnitOption { id: u.id, name: u.name }).collect()
    } else {
        Vec::new()
    };
    let t = super::text::ui(lang);
    let from_report =
        reads.special_report_of_notice(notice.id).await?.map(|r| (r.id, super::text::duties(lang).from_report));
    Ok(NoticePage {
        chrome: Chrome::new(&state, session, &signed.path, "notices"),
        n: head(&notice, lang, state.tz),
        assignments: cards,
        all_units,
        from_report,
        files: FileList::new(
            &state,
            lang,
            &state.app.attachments(&caller, Subject::notice(id)).await?,
            &session.csrf_token,
        )
        .with_upload(session.actor.can_direct(), format!("/notices/{id}/files")),
        flash: flash.done.map(|_| t.done.to_owned()),
    }
    .into_response())
}

/// `/assignments/{id}`: the notice page, scrolled to the assignment; 404 for
/// an assignment outside the reader's scope.
async fn assignment(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<Redirect, PageError> {
    let a = state.app.reads(&signed.session.actor).assignment(id).await?;
    Ok(Redirect::to(&format!("/notices/{}#a{}", a.notice_id, a.id)))
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    offset: u64,
}

pub struct NoticeLine {
    pub id: i64,
    pub title: String,
    pub category: &'static str,
    pub severity: &'static str,
    pub severity_code: &'static str,
    pub issued_at: String,
    pub assignments: Vec<AssignmentLine>,
}

pub struct AssignmentLine {
    pub unit: String,
    pub sla_code: &'static str,
    pub sla_label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "notices.html")]
struct NoticesPage {
    chrome: Chrome,
    notices: Vec<NoticeLine>,
    total: u64,
    prev: Option<u64>,
    next: Option<u64>,
}

const PAGE_SIZE: u64 = 50;

async fn list(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let session = &signed.session;
    let lang = session.lang;
    let reads = state.app.reads(&session.actor);
    let filter = NoticeFilter { limit: PAGE_SIZE, offset: q.offset, ..NoticeFilter::default() };
    let (records, total) = reads.notices(&filter).await?;
    let unit_ids: Vec<i64> = records.iter().flat_map(|r| r.assignments.iter().map(|a| a.unit_id)).collect();
    let names = reads.unit_names(&unit_ids).await?;
    let now = state.clock.now();
    let mut notices = Vec::with_capacity(records.len());
    for r in records {
        let h = head(&r.notice, lang, state.tz);
        let mut lines = Vec::new();
        for a in &r.assignments {
            let clock = ClockView::new(a, lang, state.tz, now)?;
            lines.push(AssignmentLine {
                unit: names.get(&a.unit_id).cloned().unwrap_or_default(),
                sla_code: clock.sla_code,
                sla_label: clock.sla_label,
            });
        }
        notices.push(NoticeLine {
            id: h.id,
            title: h.title,
            category: h.category,
            severity: h.severity,
            severity_code: h.severity_code,
            issued_at: h.issued_at,
            assignments: lines,
        });
    }
    Ok(NoticesPage {
        chrome: Chrome::new(&state, session, &signed.path, "notices"),
        notices,
        total,
        prev: q.offset.checked_sub(PAGE_SIZE).or((q.offset > 0).then_some(0)),
        next: (q.offset + PAGE_SIZE < total).then_some(q.offset + PAGE_SIZE),
    }
    .into_response())
}
