//! The review workflow a unit's report goes through, whatever the report
//! (a closure report, a special report): draft → submitted → accepted, or
//! returned with a comment and submitted again.

use super::access::Need;
use super::error::DomainError;
use super::labels::Lang;
use crate::labelled_enum;

labelled_enum! {
    /// Where a report stands.
    pub enum ReviewStatus {
        Draft => ("draft", "草稿", "Draft"),
        Submitted => ("submitted", "已提交", "Submitted"),
        Accepted => ("accepted", "已通过", "Accepted"),
        Returned => ("returned", "已退回", "Returned"),
    }
}

labelled_enum! {
    /// A step of the workflow.
    pub enum ReviewAction {
        Submit => ("submit", "提交", "Submitted"),
        Accept => ("accept", "通过", "Accepted"),
        Return => ("return", "退回", "Returned"),
    }
}

labelled_enum! {
    /// The reports that are reviewed, named in refusals.
    pub enum Reviewed {
        ClosureReport => ("closure_report", "处置报告", "closure report"),
        SpecialReport => ("special_report", "专项报告", "special report"),
        ThreatReport => ("threat_report", "威胁信息报告", "threat report"),
    }
}

labelled_enum! {
    /// A step on a reviewed report's own timeline.
    pub enum ReviewStep {
        Created => ("created", "创建草稿", "Draft created"),
        Edited => ("edited", "修改", "Edited"),
        FindingAdded => ("finding_added", "添加威胁信息", "Finding added"),
        FindingRemoved => ("finding_removed", "删除威胁信息", "Finding removed"),
        Submitted => ("submitted", "提交", "Submitted"),
        Accepted => ("accepted", "通过", "Accepted"),
        Returned => ("returned", "退回", "Returned"),
        NoticeIssued => ("notice_issued", "转为应急响应通知", "Turned into a notice"),
    }
}

/// One step of a report's timeline.
#[derive(Debug, Clone)]
pub struct ReviewEvent {
    pub step: ReviewStep,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub source: super::access::Source,
    pub comment: Option<String>,
}

impl ReviewAction {
    /// The unit submits its report; the bureau reviews it.
    pub fn needs(self) -> Need {
        match self {
            ReviewAction::Submit => Need::Report,
            ReviewAction::Accept | ReviewAction::Return => Need::Direct,
        }
    }

    /// The step this action writes on the report's timeline; a report is
    /// returned only with the reason why.
    pub fn step(self, comment: Option<&str>) -> Result<ReviewStep, DomainError> {
        match self {
            ReviewAction::Submit => Ok(ReviewStep::Submitted),
            ReviewAction::Accept => Ok(ReviewStep::Accepted),
            ReviewAction::Return if comment.is_some() => Ok(ReviewStep::Returned),
            ReviewAction::Return => {
                Err(DomainError::field("comment", "required", "say why it is returned", "请填写退回原因"))
            }
        }
    }
}

impl ReviewStatus {
    /// The unit may still edit the report.
    pub fn editable(self) -> bool {
        matches!(self, ReviewStatus::Draft | ReviewStatus::Returned)
    }

    /// The status after `action` on a report of kind `what`, or why not.
    pub fn after(self, action: ReviewAction, what: Reviewed) -> Result<Self, DomainError> {
        match (self, action) {
            (ReviewStatus::Draft | ReviewStatus::Returned, ReviewAction::Submit) => Ok(ReviewStatus::Submitted),
            (ReviewStatus::Submitted, ReviewAction::Accept) => Ok(ReviewStatus::Accepted),
            (ReviewStatus::Submitted, ReviewAction::Return) => Ok(ReviewStatus::Returned),
            (from, action) => {
                let (en, zh) = (from.label(Lang::En).to_lowercase(), from.label(Lang::Zh));
                let (doc, doc_zh) = (what.label(Lang::En), what.label(Lang::Zh));
                let (message, message_zh) = match action {
                    ReviewAction::Submit => (
                        format!("this {doc} is {en} and cannot be submitted again"),
                        format!("{doc_zh}{zh}，不能再次提交"),
                    ),
                    ReviewAction::Accept => (
                        format!("only a submitted {doc} can be accepted; this one is {en}"),
                        format!("只有已提交的{doc_zh}才能通过，该报告当前为“{zh}”"),
                    ),
                    ReviewAction::Return => (
                        format!("only a submitted {doc} can be returned; this one is {en}"),
                        format!("只有已提交的{doc_zh}才能退回，该报告当前为“{zh}”"),
                    ),
                };
                let code = match what {
                    Reviewed::ClosureReport => "closure_transition",
                    Reviewed::SpecialReport => "special_report_transition",
                    Reviewed::ThreatReport => "threat_report_transition",
                };
                Err(DomainError::conflict(code, message, message_zh))
            }
        }
    }

    /// Why a report in this status cannot be edited, or `Ok`.
    pub fn check_editable(self, what: Reviewed) -> Result<(), DomainError> {
        if self.editable() {
            return Ok(());
        }
        let code = match what {
            Reviewed::ClosureReport => "closure_locked",
            Reviewed::SpecialReport => "special_report_locked",
            Reviewed::ThreatReport => "threat_report_locked",
        };
        Err(DomainError::conflict(
            code,
            format!("the {} is {} and can no longer be edited", what.label(Lang::En), self.code()),
            format!("{}{}，不能再修改", what.label(Lang::Zh), self.label(Lang::Zh)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_step_says_why_in_plain_words() {
        let said = |from: ReviewStatus, action, what| match from.after(action, what) {
            Err(e) => (e.text(Lang::En), e.text(Lang::Zh)),
            Ok(to) => panic!("{from:?} {action:?} allowed to {to:?}"),
        };
        assert_eq!(
            said(ReviewStatus::Submitted, ReviewAction::Submit, Reviewed::ClosureReport),
            (
                "this closure report is submitted and cannot be submitted again".into(),
                "处置报告已提交，不能再次提交".into()
            )
        );
        assert_eq!(
            said(ReviewStatus::Draft, ReviewAction::Accept, Reviewed::SpecialReport),
            (
                "only a submitted special report can be accepted; this one is draft".into(),
                "只有已提交的专项报告才能通过，该报告当前为“草稿”".into()
            )
        );
        assert_eq!(
            said(ReviewStatus::Accepted, ReviewAction::Return, Reviewed::ClosureReport).1,
            "只有已提交的处置报告才能退回，该报告当前为“已通过”"
        );
        assert_eq!(
            ReviewStatus::Submitted.check_editable(Reviewed::SpecialReport).unwrap_err().text(Lang::Zh),
            "专项报告已提交，不能再修改"
        );
    }

    #[test]
    fn the_workflow_goes_draft_submitted_then_accepted_or_returned() {
        use ReviewAction::*;
        use ReviewStatus::*;
        let after = |s: ReviewStatus, a| s.after(a, Reviewed::SpecialReport);
        assert_eq!(after(Draft, Submit).unwrap(), Submitted);
        assert_eq!(after(Submitted, Return).unwrap(), Returned);
        assert_eq!(after(Returned, Submit).unwrap(), Submitted);
        assert_eq!(after(Submitted, Accept).unwrap(), Accepted);
        assert!(after(Accepted, Return).is_err() && after(Draft, Accept).is_err() && after(Accepted, Submit).is_err());
        assert!(Draft.editable() && Returned.editable() && !Submitted.editable() && !Accepted.editable());
    }
}
