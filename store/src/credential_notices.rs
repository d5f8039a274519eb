//! Telling units about their credentials: once when one enters the warning
//! window before it lapses, once when it has lapsed, each written with its
//! marker so a second pass or instance never repeats it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};

use super::entities::{credential, credential_notice, person, unit};
use super::reminders::{first, tell_and_commit, unit_contacts};
use super::{Store, StoreResult};
use crate::domain::page::CredentialContext;
use crate::domain::profile::credential::{CredentialStep, Expiry};

impl Store {
    /// Tells every unit of its credentials lapsing within `warn_days` of
    /// `today` or lapsed, not told yet; returns how many credentials.
    pub async fn follow_up_credentials(
        &self,
        today: NaiveDate,
        warn_days: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<usize> {
        let told = |step: CredentialStep| {
            Query::select()
                .column(credential_notice::Column::CredentialId)
                .from(credential_notice::Entity)
                .and_where(credential_notice::Column::Step.eq(step))
                .to_owned()
        };
        // Lapsing and not warned (nor already told it lapsed), or lapsed and not told.
        let lapsing = credential::Entity::find()
            .filter(credential::Column::ValidUntil.gte(today))
            .filter(credential::Column::ValidUntil.lte(today + Duration::days(warn_days)))
            .filter(credential::Column::Id.not_in_subquery(told(CredentialStep::Expiring)))
            .filter(credential::Column::Id.not_in_subquery(told(CredentialStep::Expired)));
        let lapsed = credential::Entity::find()
            .filter(credential::Column::ValidUntil.lt(today))
            .filter(credential::Column::Id.not_in_subquery(told(CredentialStep::Expired)));
        let mut due = lapsing.order_by_asc(credential::Column::Id).all(self.reader()).await?;
        due.extend(lapsed.order_by_asc(credential::Column::Id).all(self.reader()).await?);
        let mut count = 0;
        for c in due {
            let expiry = Expiry::on(c.valid_until, today, warn_days);
            let (Some(valid_until), Some(step), Expiry::Expiring(days) | Expiry::Expired(days)) =
                (c.valid_until, expiry.step(), expiry)
            else {
                continue;
            };
            count += usize::from(self.tell_credential(&c, step, valid_until, days, now).await?);
        }
        Ok(count)
    }

    async fn tell_credential(
        &self,
        c: &credential::Model,
        step: CredentialStep,
        valid_until: NaiveDate,
        days: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let txn = self.db().begin().await?;
        let marker = credential_notice::ActiveModel {
            credential_id: Set(c.id),
            step: Set(step),
            sent_at: Set(now),
            ..Default::default()
        };
        if !first(marker.insert(&txn).await)? {
            return Ok(false);
        }
        let unit_name = unit::Entity::find_by_id(c.unit_id).one(&txn).await?.map(|u| u.name).unwrap_or_default();
        let people = unit_contacts(&txn, c.unit_id, false).await?;
        let ctx = |p: &person::Model| CredentialContext {
            step,
            unit_name: unit_name.clone(),
            person_name: p.name.clone(),
            kind: c.kind,
            name: c.name.clone(),
            holder: c.holder.clone(),
            valid_until,
            days,
        };
        let key = format!("credential:c{}:{}", c.id, step.code());
        let body = |p: &person::Model| self.page_writer().credential(&ctx(p));
        let pages = tell_and_commit(self, txn, &people, step.reason(), &key, body, now).await?;
        tracing::info!(credential = c.id, step = step.code(), pages, "credential follow-up");
        Ok(true)
    }
}
