//! The work reports' pages, in both languages (Chinese first).

use crate::domain::labels::Lang;

pub struct WorkReportText {
    pub title: &'static str,
    pub month: &'static str,
    pub show: &'static str,
    pub due_at: &'static str,
    pub unit: &'static str,
    pub standing: &'static str,
    pub status: &'static str,
    pub not_started: &'static str,
    pub submitted_at: &'static str,
    pub submitted_by: &'static str,
    pub open: &'static str,
    pub work_done: &'static str,
    pub problems: &'static str,
    pub next_plans: &'static str,
    pub save: &'static str,
    pub submit: &'static str,
    pub hint: &'static str,
}

pub const ZH: WorkReportText = WorkReportText {
    title: "工作汇报",
    month: "月份",
    show: "查看",
    due_at: "报送期限",
    unit: "支撑单位",
    standing: "报送情况",
    status: "状态",
    not_started: "未填写",
    submitted_at: "报送时间",
    submitted_by: "报送人",
    open: "填报",
    work_done: "工作开展情况",
    problems: "存在问题",
    next_plans: "下一步计划",
    save: "保存草稿",
    submit: "报送",
    hint: "每月工作汇报于次月规定日期前报送；到期前提醒本单位接口人，逾期后同时告知支撑单位工作负责人。报送后不能再修改。",
};

pub const EN: WorkReportText = WorkReportText {
    title: "Work reports",
    month: "Month",
    show: "Show",
    due_at: "Due by",
    unit: "Unit",
    standing: "Standing",
    status: "Status",
    not_started: "Not started",
    submitted_at: "Submitted at",
    submitted_by: "Submitted by",
    open: "Open",
    work_done: "Work done",
    problems: "Problems",
    next_plans: "Next plans",
    save: "Save draft",
    submit: "Submit",
    hint: "Each month's report is due by a day of the following month; the unit's liaisons are reminded before it, and its support leads told once it is overdue. A submitted report no longer changes.",
};

pub fn work_reports(lang: Lang) -> &'static WorkReportText {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}
