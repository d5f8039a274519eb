//! A special report (专项报告) as the API shows it, as a DOCX in the
//! house style of the closure report, and the list of reports as XLSX.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Serialize;
use utoipa::ToSchema;

use super::exhibits::{Exhibit, section};
use super::house_style::{document, heading, or_none, pack, table, text, when};
use super::local;
use super::review::StepView;
use crate::AppState;
use crate::app::attachments::Preview;
use crate::app::reads::Reads;
use crate::domain::access::Actor;
use crate::domain::duration::format_local;
use crate::domain::labels::Lang;
use crate::domain::notice::{Category, Severity};
use crate::domain::review::ReviewStatus;
use crate::domain::special_report::SpecialReport;
use crate::store::StoreResult;

/// Reports as shown, their units and enterprises named.
pub async fn views(
    state: &AppState,
    reads: &Reads<'_>,
    reports: Vec<SpecialReport>,
) -> StoreResult<Vec<SpecialReportView>> {
    let unit_ids: Vec<i64> = reports.iter().map(|r| r.unit_id).collect();
    let enterprise_ids: Vec<i64> = reports.iter().flat_map(|r| r.content.enterprise_ids.iter().copied()).collect();
    let units = reads.unit_names(&unit_ids).await?;
    let enterprises = reads.enterprise_names(&enterprise_ids).await?;
    Ok(reports.into_iter().map(|r| SpecialReportView::new(r, &units, &enterprises, state.tz)).collect())
}

/// One report with its timeline, as `actor` may see it.
pub async fn detail(state: &AppState, actor: &Actor, id: i64) -> StoreResult<SpecialReportDetail> {
    let reads = state.app.reads(actor);
    let report = reads.special_report(id).await?;
    let timeline = reads.special_report_events(id).await?.into_iter().map(|e| StepView::new(e, state.tz)).collect();
    let report = views(state, &reads, vec![report]).await?.remove(0);
    Ok(SpecialReportDetail { report, timeline })
}

/// A registered enterprise a report names.
#[derive(Debug, Serialize, ToSchema)]
pub struct NamedEnterprise {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SpecialReportView {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub status: ReviewStatus,
    pub category: Category,
    pub severity: Severity,
    pub event_time: Option<DateTime<FixedOffset>>,
    pub description: String,
    pub cause: String,
    pub impact: String,
    pub countermeasures: String,
    pub analysis: String,
    /// The detection objects concerned, from the registry.
    pub enterprises: Vec<NamedEnterprise>,
    /// Objects concerned that are not in the registry.
    pub other_targets: String,
    /// The notice the bureau issued from this report.
    pub notice_id: Option<i64>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    pub submitted_at: Option<DateTime<FixedOffset>>,
    pub reviewed_at: Option<DateTime<FixedOffset>>,
    pub review_comment: Option<String>,
}

impl SpecialReportView {
    /// `units` and `enterprises` name the ids the report holds.
    pub fn new(r: SpecialReport, units: &HashMap<i64, String>, enterprises: &HashMap<i64, String>, tz: Tz) -> Self {
        let c = r.content;
        Self {
            id: r.id,
            unit_id: r.unit_id,
            unit_name: units.get(&r.unit_id).cloned().unwrap_or_else(|| format!("#{}", r.unit_id)),
            title: c.title,
            status: r.status,
            category: c.category,
            severity: c.severity,
            event_time: c.event_time.map(|t| local(t, tz)),
            description: c.description,
            cause: c.cause,
            impact: c.impact,
            countermeasures: c.countermeasures,
            analysis: c.analysis,
            enterprises: c
                .enterprise_ids
                .iter()
                .map(|id| NamedEnterprise { id: *id, name: enterprises.get(id).cloned().unwrap_or_default() })
                .collect(),
            other_targets: c.other_targets,
            notice_id: r.notice_id,
            created_at: local(r.created_at, tz),
            updated_at: local(r.updated_at, tz),
            submitted_at: r.submitted_at.map(|t| local(t, tz)),
            reviewed_at: r.reviewed_at.map(|t| local(t, tz)),
            review_comment: r.review_comment,
        }
    }

    /// Every detection object concerned, registered then typed.
    fn targets(&self) -> String {
        let mut names: Vec<&str> = self.enterprises.iter().map(|e| e.name.as_str()).collect();
        if !self.other_targets.is_empty() {
            names.push(&self.other_targets);
        }
        names.join("；")
    }
}

/// A report with its timeline, oldest step first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpecialReportDetail {
    #[serde(flatten)]
    pub report: SpecialReportView,
    pub timeline: Vec<StepView>,
}

/// The report's files as exhibits of its document: the name and when.
pub fn exhibits(files: Vec<Preview>, tz: Tz) -> Vec<Exhibit> {
    files
        .into_iter()
        .map(|d| {
            let caption = format!("{} · {}", d.attachment.name, format_local(d.attachment.uploaded_at, tz));
            Exhibit::new(d, caption)
        })
        .collect()
}

/// The report as a DOCX document, its screenshots and files after it.
pub fn docx(d: &SpecialReportDetail, exhibits: &[Exhibit]) -> Result<Vec<u8>, String> {
    let v = &d.report;
    let doc = document("网络安全专项报告", &v.title)
        .add_table(table(
            &["项目", "内容"],
            vec![
                vec!["报送单位".into(), v.unit_name.clone()],
                vec!["报告编号".into(), v.id.to_string()],
                vec!["事件类型".into(), v.category.label(Lang::Zh).into()],
                vec!["事件分级".into(), format!("{}（{}）", v.severity.code(), v.severity.label(Lang::Zh))],
                vec!["事件时间".into(), when(v.event_time)],
                vec!["涉及检测对象".into(), or_none(&v.targets())],
                vec!["报告状态".into(), v.status.label(Lang::Zh).into()],
            ],
        ))
        .add_paragraph(heading("一、事件基本情况"))
        .add_paragraph(text(&or_none(&v.description)))
        .add_paragraph(heading("二、事件原因"))
        .add_paragraph(text(&or_none(&v.cause)))
        .add_paragraph(heading("三、影响范围"))
        .add_paragraph(text(&or_none(&v.impact)))
        .add_paragraph(heading("四、恶意代码、漏洞及工具分析"))
        .add_paragraph(text(&or_none(&v.analysis)))
        .add_paragraph(heading("五、对策建议"))
        .add_paragraph(text(&or_none(&v.countermeasures)))
        .add_paragraph(heading("六、报送与审核记录"))
        .add_table(table(
            &["时间", "环节", "操作人", "说明"],
            d.timeline
                .iter()
                .map(|s| {
                    vec![
                        when(Some(s.at)),
                        s.step.label(Lang::Zh).into(),
                        s.actor.clone(),
                        s.comment.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        ));
    pack(section(doc, "七、截图及附件", exhibits))
}

/// The columns of the list, in order (Chinese, then English).
pub const LIST_COLUMNS: [&str; 12] = [
    "编号 ID",
    "报送单位 Unit",
    "标题 Title",
    "事件类型 Category",
    "事件分级 Severity",
    "事件时间 Event time",
    "涉及检测对象 Objects",
    "状态 Status",
    "创建时间 Created",
    "提交时间 Submitted",
    "审核时间 Reviewed",
    "转为通知 Notice",
];

/// The list of reports as a workbook: one row per report, times in the
/// display zone, ids as numbers.
pub fn workbook(reports: &[SpecialReportView]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("专项报告 Special reports")?;
    for (col, name) in (0u16..).zip(LIST_COLUMNS) {
        sheet.write_string_with_format(0, col, name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (row, v) in (1u32..).zip(reports) {
        sheet.write_number(row, 0, v.id as f64)?;
        let texts = [
            v.unit_name.clone(),
            v.title.clone(),
            v.category.label(Lang::Zh).to_owned(),
            v.severity.code().to_owned(),
            when(v.event_time),
            v.targets(),
            v.status.label(Lang::Zh).to_owned(),
            when(Some(v.created_at)),
            when(v.submitted_at),
            when(v.reviewed_at),
        ];
        for (col, value) in (1u16..).zip(texts) {
            sheet.write_string(row, col, value)?;
        }
        if let Some(n) = v.notice_id {
            sheet.write_number(row, 11, n as f64)?;
        }
    }
    sheet.set_column_width(2, 40)?;
    book.save_to_buffer()
}
