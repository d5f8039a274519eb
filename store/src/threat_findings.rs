//! Threat findings in the database: written with their indicators, read
//! back as the domain's findings, listed for the month's submission to
//! CAICT, and the indicators other units reported too.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set,
};

use super::entities::{threat_finding, threat_indicator, threat_report};
use super::{Store, StoreResult};
use crate::domain::access::Scope;
use crate::domain::crypto::random_secret;
use crate::domain::review::ReviewStatus;
use crate::domain::threat::indicator::Indicator;
use crate::domain::threat::{SharedIndicator, ThreatFinding, ThreatFindingDraft};

/// Which findings to list.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub unit_id: Option<i64>,
    /// Only findings about this registered enterprise.
    pub enterprise_id: Option<i64>,
    /// Found at or after / before.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// The ids of reports whose findings count as reported: submitted or accepted.
fn reported() -> sea_orm::sea_query::SelectStatement {
    threat_report::Entity::find()
        .select_only()
        .column(threat_report::Column::Id)
        .filter(threat_report::Column::Status.is_in([ReviewStatus::Submitted, ReviewStatus::Accepted]))
        .into_query()
}

pub(crate) fn finding_of(m: threat_finding::Model) -> ThreatFinding {
    ThreatFinding {
        id: m.id,
        report_id: m.report_id,
        unit_id: m.unit_id,
        content: ThreatFindingDraft {
            kind: m.kind,
            name: m.name,
            found_at: m.found_at,
            description: m.description,
            enterprise_id: m.enterprise_id,
            other_target: m.other_target,
            five_tuples: m.five_tuples.0,
            propagation_path: m.propagation_path,
            c2_addresses: m.c2_addresses.0,
            hashes: m.hashes.0,
            disposal_advice: m.disposal_advice,
        },
        stix_seed: m.stix_seed,
        created_at: m.created_at,
    }
}

/// Stores finding `f` of report `report_id` (unit `unit_id`) with its
/// indicators; its enterprise must be registered.
pub(crate) async fn insert(
    txn: &DatabaseTransaction,
    (report_id, unit_id): (i64, i64),
    field: &str,
    f: &ThreatFindingDraft,
    now: DateTime<Utc>,
) -> StoreResult<ThreatFinding> {
    if let Some(e) = f.enterprise_id {
        super::enterprises::named(txn, field, e).await?;
    }
    let saved = threat_finding::ActiveModel {
        report_id: Set(report_id),
        unit_id: Set(unit_id),
        kind: Set(f.kind),
        name: Set(f.name.clone()),
        found_at: Set(f.found_at),
        description: Set(f.description.clone()),
        enterprise_id: Set(f.enterprise_id),
        other_target: Set(f.other_target.clone()),
        five_tuples: Set(f.five_tuples.clone().into()),
        propagation_path: Set(f.propagation_path.clone()),
        c2_addresses: Set(f.c2_addresses.clone().into()),
        hashes: Set(f.hashes.clone().into()),
        disposal_advice: Set(f.disposal_advice.clone()),
        stix_seed: Set(random_secret("", 16)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    for i in f.indicators() {
        threat_indicator::ActiveModel {
            finding_id: Set(saved.id),
            report_id: Set(report_id),
            unit_id: Set(unit_id),
            kind: Set(i.kind),
            value: Set(i.value),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(finding_of(saved))
}

/// Deletes finding `finding_id` of report `report_id` and its indicators;
/// its name, or `None` when the report has no such finding.
pub(crate) async fn delete(txn: &DatabaseTransaction, report_id: i64, finding_id: i64) -> StoreResult<Option<String>> {
    let Some(found) = threat_finding::Entity::find_by_id(finding_id)
        .filter(threat_finding::Column::ReportId.eq(report_id))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    threat_indicator::Entity::delete_many()
        .filter(threat_indicator::Column::FindingId.eq(finding_id))
        .exec(txn)
        .await?;
    threat_finding::Entity::delete_by_id(finding_id).exec(txn).await?;
    Ok(Some(found.name))
}

/// The findings of `report_ids`, by report, oldest first.
pub(crate) async fn of_reports(
    db: &impl ConnectionTrait,
    report_ids: Vec<i64>,
) -> StoreResult<HashMap<i64, Vec<ThreatFinding>>> {
    let rows = threat_finding::Entity::find()
        .filter(threat_finding::Column::ReportId.is_in(report_ids))
        .order_by_asc(threat_finding::Column::Id)
        .all(db)
        .await?;
    let mut by_report: HashMap<i64, Vec<ThreatFinding>> = HashMap::new();
    for r in rows {
        by_report.entry(r.report_id).or_default().push(finding_of(r));
    }
    Ok(by_report)
}

impl Store {
    /// The findings of submitted and accepted reports in the reader's scope,
    /// in the order found, with each report's status.
    pub async fn threat_findings(
        &self,
        scope: Scope,
        filter: &FindingFilter,
    ) -> StoreResult<(Vec<ThreatFinding>, HashMap<i64, ReviewStatus>)> {
        let mut q = threat_finding::Entity::find().filter(threat_finding::Column::ReportId.in_subquery(reported()));
        let unit = match scope {
            Scope::Unit(u) => Some(u),
            Scope::All => filter.unit_id,
        };
        if let Some(u) = unit {
            q = q.filter(threat_finding::Column::UnitId.eq(u));
        }
        if let Some(e) = filter.enterprise_id {
            q = q.filter(threat_finding::Column::EnterpriseId.eq(e));
        }
        if let Some(from) = filter.from {
            q = q.filter(threat_finding::Column::FoundAt.gte(from));
        }
        if let Some(to) = filter.to {
            q = q.filter(threat_finding::Column::FoundAt.lt(to));
        }
        let rows = q
            .order_by_asc(threat_finding::Column::FoundAt)
            .order_by_asc(threat_finding::Column::Id)
            .all(self.reader())
            .await?;
        let report_ids: BTreeSet<i64> = rows.iter().map(|r| r.report_id).collect();
        let statuses = threat_report::Entity::find()
            .filter(threat_report::Column::Id.is_in(report_ids))
            .all(self.reader())
            .await?
            .into_iter()
            .map(|r| (r.id, r.status))
            .collect();
        Ok((rows.into_iter().map(finding_of).collect(), statuses))
    }

    /// The indicators of `findings` that other units reported too, in
    /// reports they submitted; a unit's reader learns that they were, not
    /// by whom (`unit_ids` left empty).
    pub async fn shared_indicators(
        &self,
        scope: Scope,
        findings: &[ThreatFinding],
    ) -> StoreResult<Vec<SharedIndicator>> {
        let of_each: Vec<(&ThreatFinding, Vec<Indicator>)> =
            findings.iter().map(|f| (f, f.content.indicators())).collect();
        let values: BTreeSet<&str> = of_each.iter().flat_map(|(_, i)| i.iter().map(|i| i.value.as_str())).collect();
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let rows = threat_indicator::Entity::find()
            .filter(threat_indicator::Column::Value.is_in(values))
            .filter(threat_indicator::Column::ReportId.in_subquery(reported()))
            .all(self.reader())
            .await?;
        let mut reporters: BTreeMap<Indicator, BTreeSet<i64>> = BTreeMap::new();
        for r in rows {
            reporters.entry(Indicator { kind: r.kind, value: r.value }).or_default().insert(r.unit_id);
        }
        let mut shared = Vec::new();
        for (f, indicators) in of_each {
            for indicator in indicators {
                let others: Vec<i64> =
                    reporters.get(&indicator).into_iter().flatten().copied().filter(|u| *u != f.unit_id).collect();
                if others.is_empty() {
                    continue;
                }
                let unit_ids = if scope == Scope::All { others } else { Vec::new() };
                shared.push(SharedIndicator { finding_id: f.id, indicator, unit_ids });
            }
        }
        Ok(shared)
    }
}
