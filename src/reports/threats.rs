//! Threat reports (威胁信息报告) as the API shows them, and the findings in
//! the fixed layout submitted to CAICT each month, as XLSX and CSV (the
//! layout is documented in docs/threat-export.md; STIX is `stix.rs`).

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Serialize;
use utoipa::ToSchema;

use super::closure::{C2View, FiveTupleView};
use super::house_style::when;
use super::local;
use super::review::StepView;
use super::special_reports::NamedEnterprise;
use crate::AppState;
use crate::app::reads::Reads;
use crate::domain::DomainError;
use crate::domain::access::Actor;
use crate::domain::labels::Lang;
use crate::domain::period;
use crate::domain::review::ReviewStatus;
use crate::domain::threat::indicator::{HashAlgorithm, IndicatorKind};
use crate::domain::threat::{SharedIndicator, ThreatFinding, ThreatKind, ThreatReport};
use crate::store::threat_findings::FindingFilter;
use crate::store::{StoreError, StoreResult};

#[derive(Debug, Serialize, ToSchema)]
pub struct HashView {
    pub algorithm: HashAlgorithm,
    /// Lower-case hex.
    pub value: String,
}

impl HashView {
    /// `MD5:44d8…`.
    pub fn line(&self) -> String {
        format!("{}:{}", self.algorithm.label(Lang::En), self.value)
    }
}

/// An indicator of this finding that other units reported too.
#[derive(Debug, Serialize, ToSchema)]
pub struct SharedView {
    pub kind: IndicatorKind,
    pub value: String,
    /// Safe to show.
    pub defanged: String,
    /// The other units that reported it: named to the bureau and managers,
    /// left empty for a unit's reader (who learns only that others did).
    pub unit_names: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingView {
    pub id: i64,
    pub report_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: ThreatKind,
    pub name: String,
    pub found_at: DateTime<FixedOffset>,
    pub description: String,
    pub enterprise: Option<NamedEnterprise>,
    pub other_target: String,
    pub five_tuples: Vec<FiveTupleView>,
    pub propagation_path: String,
    pub c2_addresses: Vec<C2View>,
    pub hashes: Vec<HashView>,
    pub disposal_advice: String,
    /// Indicators other units reported too: flagged for a second look.
    pub shared: Vec<SharedView>,
    /// Its report's status (in the month's list).
    pub report_status: Option<ReviewStatus>,
}

/// What a view needs besides the finding: names of the units and
/// enterprises it refers to, and the indicators shared with other units.
pub struct Names<'a> {
    pub units: &'a HashMap<i64, String>,
    pub enterprises: &'a HashMap<i64, String>,
    pub shared: &'a [SharedIndicator],
    pub tz: Tz,
}

impl Names<'_> {
    fn unit(&self, id: i64) -> String {
        self.units.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
    }
}

impl FindingView {
    pub fn new(f: ThreatFinding, names: &Names<'_>, report_status: Option<ReviewStatus>) -> Self {
        let c = f.content;
        let shared = names
            .shared
            .iter()
            .filter(|s| s.finding_id == f.id)
            .map(|s| SharedView {
                kind: s.indicator.kind,
                value: s.indicator.value.clone(),
                defanged: s.indicator.defanged(),
                unit_names: s.unit_ids.iter().map(|u| names.unit(*u)).collect(),
            })
            .collect();
        Self {
            id: f.id,
            report_id: f.report_id,
            unit_id: f.unit_id,
            unit_name: names.unit(f.unit_id),
            kind: c.kind,
            name: c.name,
            found_at: local(c.found_at, names.tz),
            description: c.description,
            enterprise: c
                .enterprise_id
                .map(|id| NamedEnterprise { id, name: names.enterprises.get(&id).cloned().unwrap_or_default() }),
            other_target: c.other_target,
            five_tuples: c.five_tuples.iter().map(FiveTupleView::from).collect(),
            propagation_path: c.propagation_path,
            c2_addresses: c.c2_addresses.iter().map(C2View::from).collect(),
            hashes: c.hashes.into_iter().map(|h| HashView { algorithm: h.algorithm, value: h.value }).collect(),
            disposal_advice: c.disposal_advice,
            shared,
            report_status,
        }
    }

    /// The object concerned, registered or typed.
    pub fn target(&self) -> String {
        match &self.enterprise {
            Some(e) if self.other_target.is_empty() => e.name.clone(),
            Some(e) => format!("{}；{}", e.name, self.other_target),
            None => self.other_target.clone(),
        }
    }
}

/// A report in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreatReportView {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub status: ReviewStatus,
    pub finding_count: usize,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    pub submitted_at: Option<DateTime<FixedOffset>>,
    pub reviewed_at: Option<DateTime<FixedOffset>>,
    pub review_comment: Option<String>,
}

impl ThreatReportView {
    pub fn new(r: &ThreatReport, units: &HashMap<i64, String>, tz: Tz) -> Self {
        Self {
            id: r.id,
            unit_id: r.unit_id,
            unit_name: units.get(&r.unit_id).cloned().unwrap_or_else(|| format!("#{}", r.unit_id)),
            title: r.title.clone(),
            status: r.status,
            finding_count: r.findings.len(),
            created_at: local(r.created_at, tz),
            updated_at: local(r.updated_at, tz),
            submitted_at: r.submitted_at.map(|t| local(t, tz)),
            reviewed_at: r.reviewed_at.map(|t| local(t, tz)),
            review_comment: r.review_comment.clone(),
        }
    }
}

/// A report with its findings and its timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreatReportDetail {
    #[serde(flatten)]
    pub report: ThreatReportView,
    pub findings: Vec<FindingView>,
    pub timeline: Vec<StepView>,
}

/// The columns submitted to CAICT, in order (Chinese, then English); the
/// XLSX and the CSV have exactly these.
pub const CAICT_COLUMNS: [&str; 16] = [
    "序号 No.",
    "报送单位 Reporting unit",
    "报告编号 Report ID",
    "威胁信息编号 Finding ID",
    "威胁类型 Threat type",
    "名称 Name",
    "发现时间 Found at",
    "涉及对象 Object concerned",
    "五元组 Five-tuples",
    "传播途径 Propagation path",
    "恶意C&C地址 C&C addresses",
    "样本哈希 Sample hashes",
    "处置建议 Disposal advice",
    "描述 Description",
    "他单位同报 Also reported by others",
    "审核状态 Review status",
];

/// One finding's cells in `CAICT_COLUMNS` order; lists one item per line.
pub fn caict_row(no: usize, v: &FindingView) -> [String; 16] {
    let lines = |items: Vec<String>| items.join("\n");
    [
        no.to_string(),
        v.unit_name.clone(),
        v.report_id.to_string(),
        v.id.to_string(),
        v.kind.label(Lang::Zh).to_owned(),
        v.name.clone(),
        when(Some(v.found_at)),
        v.target(),
        lines(v.five_tuples.iter().map(FiveTupleView::line).collect()),
        v.propagation_path.clone(),
        lines(v.c2_addresses.iter().map(|c| c.defanged.clone()).collect()),
        lines(v.hashes.iter().map(HashView::line).collect()),
        v.disposal_advice.clone(),
        v.description.clone(),
        lines(
            v.shared
                .iter()
                .map(|s| match s.unit_names.as_slice() {
                    [] => s.defanged.clone(),
                    names => format!("{}（{}）", s.defanged, names.join("、")),
                })
                .collect(),
        ),
        v.report_status.map(|s| s.label(Lang::Zh).to_owned()).unwrap_or_default(),
    ]
}

/// The findings as the CAICT workbook: ids as numbers, lists wrapped.
pub fn caict_workbook(findings: &[FindingView]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let sheet = book.add_worksheet().set_name("威胁信息 Threat findings")?;
    for (col, name) in (0u16..).zip(CAICT_COLUMNS) {
        sheet.write_string_with_format(0, col, name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (row, (i, v)) in (1u32..).zip(findings.iter().enumerate()) {
        for (col, cell) in (0u16..).zip(caict_row(i + 1, v)) {
            match col {
                0 | 2 | 3 => sheet.write_number(row, col, cell.parse::<f64>().unwrap_or_default())?,
                _ => sheet.write_string_with_format(row, col, cell, &wrap)?,
            };
        }
    }
    for (col, width) in [(5u16, 24.0), (8, 40.0), (10, 32.0), (11, 48.0), (12, 32.0)] {
        sheet.set_column_width(col, width)?;
    }
    book.save_to_buffer()
}

/// The same findings as CSV (UTF-8 with a BOM, cells neutralised).
pub fn caict_csv(findings: &[FindingView]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    super::csv::record(&mut w, CAICT_COLUMNS)?;
    for (i, v) in findings.iter().enumerate() {
        super::csv::record(&mut w, caict_row(i + 1, v))?;
    }
    Ok(super::csv::finish(w))
}

/// Findings as shown: their units and enterprises named, the indicators
/// other units reported too flagged.
pub async fn finding_views(
    state: &AppState,
    reads: &Reads<'_>,
    findings: Vec<ThreatFinding>,
    status_of: impl Fn(i64) -> Option<ReviewStatus>,
) -> StoreResult<Vec<FindingView>> {
    let shared = reads.shared_indicators(&findings).await?;
    let mut unit_ids: Vec<i64> = findings.iter().map(|f| f.unit_id).collect();
    unit_ids.extend(shared.iter().flat_map(|s| s.unit_ids.iter().copied()));
    let enterprise_ids: Vec<i64> = findings.iter().filter_map(|f| f.content.enterprise_id).collect();
    let units = reads.unit_names(&unit_ids).await?;
    let enterprises = reads.enterprise_names(&enterprise_ids).await?;
    let names = Names { units: &units, enterprises: &enterprises, shared: &shared, tz: state.tz };
    Ok(findings
        .into_iter()
        .map(|f| {
            let status = status_of(f.report_id);
            FindingView::new(f, &names, status)
        })
        .collect())
}

/// Which period's findings to export, and whose.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthFilter {
    /// `YYYY-MM` (this month when left out), `YYYY-Qn` or `YYYY`, in the display zone.
    pub period: Option<String>,
    pub unit_id: Option<i64>,
    /// Only findings about this registered detection object.
    pub enterprise_id: Option<i64>,
}

/// The findings of submitted and accepted reports found in the period, in
/// the order found, with their reports' statuses, and the period's name.
async fn found_in(
    state: &AppState,
    actor: &Actor,
    q: &MonthFilter,
) -> StoreResult<(String, Vec<ThreatFinding>, HashMap<i64, ReviewStatus>)> {
    let name = q
        .period
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map_or_else(|| super::this_month(state), str::to_owned);
    let span = period::named(&name, state.tz).map_err(|e| StoreError::Domain(DomainError::Invalid(vec![e])))?;
    let filter =
        FindingFilter { unit_id: q.unit_id, enterprise_id: q.enterprise_id, from: Some(span.from), to: Some(span.to) };
    let (found, statuses) = state.app.reads(actor).threat_findings(&filter).await?;
    Ok((name, found, statuses))
}

/// The period's findings as shown, and the period's name.
pub async fn listed(state: &AppState, actor: &Actor, q: &MonthFilter) -> StoreResult<(String, Vec<FindingView>)> {
    let (name, found, statuses) = found_in(state, actor, q).await?;
    let views = finding_views(state, &state.app.reads(actor), found, |r| statuses.get(&r).copied()).await?;
    Ok((name, views))
}

/// The period's findings as a STIX 2.1 bundle, and the period's name.
pub async fn stix_bundle(state: &AppState, actor: &Actor, q: &MonthFilter) -> StoreResult<(String, serde_json::Value)> {
    let (name, found, _) = found_in(state, actor, q).await?;
    let units = state.app.reads(actor).unit_names(&found.iter().map(|f| f.unit_id).collect::<Vec<_>>()).await?;
    Ok((name, super::stix::bundle(&found, &units)))
}
