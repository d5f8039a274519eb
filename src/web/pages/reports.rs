//! The SLA report page for managers: filters, totals, charts, per-unit and
//! per-branch tables, the breach list, and the same report as CSV or Excel
//! (signed in by session, so a manager downloads from the page).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::Chrome;
use super::error::PageError;
use super::notice_form::Choice;
use super::report_duties::{DutyCells, DutyRow, DutyTable};
use super::text::UiText;
use crate::AppState;
use crate::domain::DomainError;
use crate::domain::duration::format_duration;
use crate::domain::labels::Lang;
use crate::domain::notice::{Category, Severity};
use crate::domain::period;
use crate::domain::report::{DurationStats, Figures};
use crate::reports::charts::{self, ChartText};
use crate::reports::duty_figures::duty_report;
use crate::reports::{Listing, ReportQuery, SlaReportView, csv, filter_of, sla_report, xlsx};
use crate::store::reports::ReportFilter;
use crate::web::session::SignedIn;
use crate::web::{CSV, XLSX, attachment};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(show))
        .route("/reports/sla.csv", get(export_csv))
        .route("/reports/sla.xlsx", get(export_xlsx))
        .route("/units/{id}/scorecard", get(scorecard))
}

/// One group's figures as the tables show them.
pub struct FigureCells {
    pub assignments: u64,
    pub counted: u64,
    pub stood_down: u64,
    pub extended: u64,
    pub ack: String,
    pub plan: String,
    pub on_site: String,
    pub hq: String,
    pub kept: u64,
    /// Counted and decided: the rate's denominator.
    pub decided: u64,
    /// Still open with time left, out of the rate.
    pub pending: u64,
    pub rate: String,
    pub breached: u64,
    pub ack_time: String,
    pub plan_time: String,
    pub on_site_time: String,
    pub closure: String,
    pub closure_time: String,
}

/// `part (percent%)` of `of`, or a dash when there is nothing to share.
pub(super) fn share(part: u64, of: u64) -> String {
    if of == 0 { "—".to_owned() } else { format!("{part} ({:.1}%)", part as f64 * 100.0 / of as f64) }
}

fn times(d: &DurationStats, lang: Lang) -> String {
    match (d.median_seconds, d.p90_seconds) {
        (Some(m), Some(p)) => format!("{} / {}", format_duration(m, lang), format_duration(p, lang)),
        _ => "—".to_owned(),
    }
}

impl FigureCells {
    fn new(f: &Figures, lang: Lang) -> Self {
        Self {
            assignments: f.assignments,
            counted: f.counted,
            stood_down: f.stood_down,
            extended: f.extended,
            ack: share(f.acknowledged_within_target, f.counted),
            plan: share(f.plan_activated_within_deadline, f.counted),
            on_site: share(f.on_site_within_deadline, f.on_site_required),
            hq: share(f.hq_remote_within_deadline, f.counted),
            kept: f.kept,
            decided: f.counted.saturating_sub(f.pending),
            pending: f.pending,
            rate: f.on_time_rate.map_or("—".to_owned(), |r| format!("{:.1}%", r * 100.0)),
            breached: f.breached,
            ack_time: times(&f.time_to_acknowledge, lang),
            plan_time: times(&f.time_to_plan, lang),
            on_site_time: times(&f.time_to_on_site, lang),
            closure: format!("{} / {}", f.closure_filed, f.closure_accepted),
            closure_time: times(&f.time_to_closure, lang),
        }
    }
}

pub struct GroupRow {
    pub unit: String,
    pub name: String,
    pub f: FigureCells,
}

pub struct BreachRow {
    pub assignment_id: i64,
    pub title: String,
    pub unit: String,
    pub branch: Option<String>,
    pub notified: String,
    pub milestones: String,
    pub lateness: String,
    pub extended: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports.html")]
struct ReportPage {
    chrome: Chrome,
    period_label: String,
    q_period: String,
    query: String,
    units: Vec<Choice>,
    categories: Vec<Choice>,
    severities: Vec<Choice>,
    /// Protection periods, to read the notices issued under one.
    periods: Vec<Choice>,
    period_heading: &'static str,
    totals: FigureCells,
    by_unit: Vec<GroupRow>,
    by_branch: Vec<GroupRow>,
    duties: DutyTable,
    breaches: Vec<BreachRow>,
    breaches_total: u64,
    /// The list holds fewer than `breaches_total`.
    breaches_cut: bool,
    chart_on_time: String,
    chart_distribution: String,
    chart_breaches: String,
}

/// The query, with empty form fields read as absent.
fn cleaned(q: Result<Query<Vec<(String, String)>>, QueryRejection>) -> Result<ReportQuery, PageError> {
    let Query(pairs) = q.map_err(|e| PageError::BadForm(e.body_text()))?;
    let mut out = ReportQuery::default();
    let bad = |field: &str| {
        PageError::from(DomainError::field(field, "invalid", format!("{field} is not valid"), format!("{field} 无效")))
    };
    for (key, value) in pairs {
        let value = value.trim().to_owned();
        if value.is_empty() {
            continue;
        }
        match key.as_str() {
            "period" => out.period = Some(value),
            "from" => out.from = Some(value),
            "to" => out.to = Some(value),
            "unit_id" => out.unit_id = Some(value.parse().map_err(|_| bad("unit_id"))?),
            "branch_id" => out.branch_id = Some(value.parse().map_err(|_| bad("branch_id"))?),
            "category" => out.category = Some(Category::from_code(&value).ok_or_else(|| bad("category"))?),
            "severity" => out.severity = Some(Severity::from_code(&value).ok_or_else(|| bad("severity"))?),
            "table" => out.table = Some(value),
            "breaches_limit" => out.breaches_limit = Some(value.parse().map_err(|_| bad("breaches_limit"))?),
            "protection_period_id" => {
                out.protection_period_id = Some(value.parse().map_err(|_| bad("protection_period_id"))?);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The query string that reproduces `q` (for the export links).
fn query_string(q: &ReportQuery) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    let pairs = [
        ("period", q.period.clone()),
        ("from", q.from.clone()),
        ("to", q.to.clone()),
        ("unit_id", q.unit_id.map(|v| v.to_string())),
        ("branch_id", q.branch_id.map(|v| v.to_string())),
        ("category", q.category.map(|v| v.code().to_owned())),
        ("severity", q.severity.map(|v| v.code().to_owned())),
        ("protection_period_id", q.protection_period_id.map(|v| v.to_string())),
    ];
    for (k, v) in pairs {
        if let Some(v) = v {
            s.append_pair(k, &v);
        }
    }
    s.finish()
}

fn charts_of(report: &SlaReportView, t: &UiText) -> (String, String, String) {
    (
        charts::on_time_rates(
            &report
                .by_unit
                .iter()
                .filter(|u| u.figures.assignments > 0)
                .map(|u| (u.unit_name.clone(), u.figures.on_time_rate))
                .collect::<Vec<_>>(),
            &ChartText { title: t.chart_on_time, x: t.col_unit, y: t.percent },
        ),
        charts::on_site_distribution(
            &report.on_site_distribution,
            120,
            &ChartText { title: t.chart_distribution, x: t.minutes_since_t0, y: t.count },
        ),
        charts::breaches_by_month(
            &report.breaches_by_month,
            &ChartText { title: t.chart_breaches, x: t.period, y: t.count },
        ),
    )
}

async fn show(
    State(state): State<AppState>,
    signed: SignedIn,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, PageError> {
    let session = &signed.session;
    let lang = session.lang;
    let t = super::text::ui(lang);
    let q = cleaned(q)?;
    let report = sla_report(&state, &session.actor, &q, Listing::Asked).await?;
    let reads = state.app.reads(&session.actor);
    let units = reads.units().await?;
    let periods = reads.protection_periods().await?;
    let (chart_on_time, chart_distribution, chart_breaches) = charts_of(&report, t);
    let choice = |code: &str, label: &str, selected: bool| Choice { code: code.into(), label: label.into(), selected };
    let period_label = format!(
        "{} – {}",
        report.period.from.format("%Y-%m-%d"),
        (report.period.to - chrono::Duration::seconds(1)).format("%Y-%m-%d")
    );
    Ok(ReportPage {
        chrome: Chrome::new(&state, session, &signed.path, "reports"),
        period_label,
        // A protection period's report spans the period unless a month is typed.
        q_period: q.period.clone().unwrap_or_else(|| match q.protection_period_id {
            Some(_) => String::new(),
            None => report.period.from.format("%Y-%m").to_string(),
        }),
        query: query_string(&q),
        units: units.iter().map(|u| choice(&u.id.to_string(), &u.name, q.unit_id == Some(u.id))).collect(),
        categories: Category::ALL.iter().map(|c| choice(c.code(), c.label(lang), q.category == Some(*c))).collect(),
        severities: Severity::ALL.iter().map(|s| choice(s.code(), s.label(lang), q.severity == Some(*s))).collect(),
        periods: periods
            .iter()
            .map(|p| choice(&p.id.to_string(), &p.name, q.protection_period_id == Some(p.id)))
            .collect(),
        period_heading: super::text::duty(lang).periods_title,
        totals: FigureCells::new(&report.totals, lang),
        duties: DutyTable::new(
            lang,
            t.col_unit,
            report
                .by_unit
                .iter()
                .map(|u| DutyRow { name: u.unit_name.clone(), d: DutyCells::new(&u.duties) })
                .collect(),
            &report.duties,
        ),
        by_unit: report
            .by_unit
            .iter()
            .filter(|u| u.figures.assignments > 0)
            .map(|u| GroupRow {
                unit: u.unit_name.clone(),
                name: u.unit_name.clone(),
                f: FigureCells::new(&u.figures, lang),
            })
            .collect(),
        by_branch: report
            .by_branch
            .iter()
            .map(|b| GroupRow {
                unit: b.unit_name.clone(),
                name: b.branch_name.clone().unwrap_or_else(|| t.any_branch.to_owned()),
                f: FigureCells::new(&b.figures, lang),
            })
            .collect(),
        breaches: report
            .breaches
            .iter()
            .map(|b| BreachRow {
                assignment_id: b.assignment_id,
                title: b.title.clone(),
                unit: b.unit_name.clone(),
                branch: b.branch_name.clone(),
                notified: b.notified_at.format("%Y-%m-%d %H:%M").to_string(),
                milestones: b.milestones.iter().map(|m| m.label(lang)).collect::<Vec<_>>().join(if lang == Lang::Zh {
                    "、"
                } else {
                    ", "
                }),
                lateness: format_duration(b.lateness_seconds, lang),
                extended: b.extended,
            })
            .collect(),
        breaches_total: report.breaches_total,
        breaches_cut: (report.breaches.len() as u64) < report.breaches_total,
        chart_on_time,
        chart_distribution,
        chart_breaches,
    }
    .into_response())
}

async fn export_csv(
    State(state): State<AppState>,
    signed: SignedIn,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = cleaned(q)?;
    let actor = signed.session.actor.clone();
    if q.table.as_deref() == Some("breaches") {
        let filter = filter_of(&state, &actor, &q, Listing::All).await?;
        let body = axum::body::Body::from_stream(csv::breach_stream(state, actor, filter));
        return Ok(attachment(CSV, "sla-breaches.csv", body));
    }
    let report = sla_report(&state, &actor, &q, Listing::Asked).await?;
    let body = csv::units(&report).map_err(|e| {
        tracing::error!(error = %e, "csv export failed");
        PageError::Unavailable
    })?;
    Ok(attachment(CSV, "sla-units.csv", body))
}

async fn export_xlsx(
    State(state): State<AppState>,
    signed: SignedIn,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = cleaned(q)?;
    let report = sla_report(&state, &signed.session.actor, &q, Listing::All).await?;
    let body = xlsx::workbook(&report).map_err(|e| {
        tracing::error!(error = %e, "xlsx export failed");
        PageError::Unavailable
    })?;
    Ok(attachment(XLSX, "sla-report.xlsx", body))
}

#[derive(Template, WebTemplate)]
#[template(path = "scorecard.html")]
struct ScorecardPage {
    chrome: Chrome,
    unit: String,
    year: i32,
    totals: FigureCells,
    months: Vec<GroupRow>,
    duties: DutyTable,
    chart: String,
}

#[derive(serde::Deserialize)]
struct Year {
    year: Option<String>,
}

/// One unit's year: the report's figures and its other duties, for the
/// year and each month.
async fn scorecard(
    State(state): State<AppState>,
    signed: SignedIn,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Query(y): Query<Year>,
) -> Result<Response, PageError> {
    let session = &signed.session;
    let lang = session.lang;
    let t = super::text::ui(lang);
    let this_year = state.clock.now().with_timezone(&state.tz).format("%Y").to_string();
    let raw = y.year.filter(|s| !s.trim().is_empty()).unwrap_or(this_year);
    let Ok(year_number) = raw.trim().parse::<i32>() else {
        let t = |lang| super::text::ui(lang).bad_year;
        return Err(DomainError::field("year", "invalid", t(Lang::En), t(Lang::Zh)).into());
    };
    let year_text = year_number.to_string();
    let unit = state.app.reads(&session.actor).unit(id).await?;
    // One read of the year; the months are cut from it.
    let period_of =
        |name: &str| period::named(name, state.tz).map_err(|e| PageError::from(DomainError::Invalid(vec![e])));
    let filter = ReportFilter { unit_id: Some(id), breach_limit: Some(0), ..ReportFilter::new(period_of(&year_text)?) };
    let now = state.clock.now();
    let (year, _) = crate::reports::build(&state, &session.actor, &filter, now).await?;
    let duties = duty_report(&state, &session.actor, Some(id), &filter.period).await?;
    let mut months = Vec::with_capacity(12);
    let mut rates = Vec::with_capacity(12);
    for (name, totals) in &year.by_month {
        rates.push((name.get(5..).unwrap_or(name).to_owned(), totals.on_time_rate));
        months.push(GroupRow { unit: unit.name.clone(), name: name.clone(), f: FigureCells::new(totals, lang) });
    }
    Ok(ScorecardPage {
        chrome: Chrome::new(&state, session, &signed.path, "units"),
        unit: unit.name,
        year: year_number,
        totals: FigureCells::new(&year.totals, lang),
        chart: charts::on_time_rates(&rates, &ChartText { title: t.trend, x: t.month, y: t.percent }),
        months,
        duties: DutyTable::new(
            lang,
            t.month,
            duties.by_month.iter().map(|(m, d)| DutyRow { name: m.clone(), d: DutyCells::new(d) }).collect(),
            &duties.totals,
        ),
    }
    .into_response())
}
