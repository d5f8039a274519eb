//! The units' other duties as the SLA report and the scorecard show them,
//! in both languages (Chinese first).

use crate::domain::labels::Lang;

pub struct DutyFiguresText {
    pub heading: &'static str,
    pub note: &'static str,
    pub special: &'static str,
    pub threat: &'static str,
    pub findings: &'static str,
    pub instructions: &'static str,
    pub instructions_overdue: &'static str,
    pub work_reports: &'static str,
    pub work_reports_overdue: &'static str,
    pub screening: &'static str,
    pub screening_overdue: &'static str,
    pub total: &'static str,
}

pub const ZH: DutyFiguresText = DutyFiguresText {
    heading: "其他职责履行情况",
    note: "按单位和期间统计，不受属地机构、事件类别和级别筛选影响。报告计入最近一次提交的月份，工作指示计入下发月份，工作汇报计入所汇报的月份，排查任务计入截止月份。",
    special: "专项报告 已报 / 已通过",
    threat: "威胁信息报告 已报 / 已通过",
    findings: "威胁线索",
    instructions: "工作指示 按时确认",
    instructions_overdue: "逾期未确认",
    work_reports: "工作汇报 按时报送",
    work_reports_overdue: "逾期未报",
    screening: "排查任务 已完成",
    screening_overdue: "排查逾期",
    total: "合计",
};

pub const EN: DutyFiguresText = DutyFiguresText {
    heading: "Other duties",
    note: "Counted per unit and period; branch, category and severity filters do not apply. A report counts in the month it was last submitted, an instruction in the month it was issued, a work report in the month it covers, a screening task in the month it is due.",
    special: "Special reports filed / accepted",
    threat: "Threat reports filed / accepted",
    findings: "Threat findings",
    instructions: "Instructions confirmed on time",
    instructions_overdue: "Unread past deadline",
    work_reports: "Work reports on time",
    work_reports_overdue: "Work reports overdue",
    screening: "Screening tasks done",
    screening_overdue: "Screening overdue",
    total: "Total",
};

pub fn duty_figures(lang: Lang) -> &'static DutyFiguresText {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}
