//! The first schema: the registry (units, branches, people, channels, a
//! unit's own channels such as its duty group chat), access
//! (users, API tokens, Telegram link codes, chats and the durable inbox of
//! updates), the response (notices,
//! assignments, milestones, timeline), the durable machinery (timers, pages,
//! bureau contacts who are paged on escalation) and closure reports. Times are UTC (`timestamp with time zone`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000001_initial"
    }
}

fn ts(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone(name)
}

fn ts_null(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(name)
}

fn fk(
    table: &'static str,
    col: &'static str,
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(format!("fk_{table}_{col}")).from(table, col).to(to, "id").on_delete(on_delete).to_owned()
}

fn index(table: &'static str, name: &'static str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(*c);
    }
    if unique {
        idx.unique();
    }
    idx.to_owned()
}

const CASCADE: ForeignKeyAction = ForeignKeyAction::Cascade;
const RESTRICT: ForeignKeyAction = ForeignKeyAction::Restrict;
const SET_NULL: ForeignKeyAction = ForeignKeyAction::SetNull;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            m.create_table(table).await?;
        }
        for idx in indexes() {
            m.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in tables().iter().rev().filter_map(|t| t.get_table_name().cloned()) {
            m.drop_table(Table::drop().table(name).to_owned()).await?;
        }
        Ok(())
    }
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table("units")
            .col(big_pk_auto("id"))
            .col(string("name"))
            .col(string_null("credit_code"))
            .col(string_null("hq_address"))
            .col(text_null("policy_override"))
            .col(ts("created_at"))
            .to_owned(),
        Table::create()
            .table("branches")
            .col(big_pk_auto("id"))
            .col(big_integer("unit_id"))
            .col(string("name"))
            .col(string_null("district"))
            .col(string("address"))
            .col(double_null("lat"))
            .col(double_null("lon"))
            .col(ts("created_at"))
            .foreign_key(&mut fk("branches", "unit_id", "units", CASCADE))
            .to_owned(),
        Table::create()
            .table("people")
            .col(big_pk_auto("id"))
            .col(big_integer("unit_id"))
            .col(big_integer_null("branch_id"))
            .col(string("name"))
            .col(string_null("phone"))
            .col(string("role"))
            .col(boolean("active"))
            .col(ts("created_at"))
            .foreign_key(&mut fk("people", "unit_id", "units", CASCADE))
            .foreign_key(&mut fk("people", "branch_id", "branches", SET_NULL))
            .to_owned(),
        Table::create()
            .table("channels")
            .col(big_pk_auto("id"))
            .col(big_integer("person_id"))
            .col(string("kind"))
            .col(text("address"))
            .col(integer("priority"))
            .col(string("status"))
            .col(text_null("status_reason"))
            .col(ts("created_at"))
            .foreign_key(&mut fk("channels", "person_id", "people", CASCADE))
            .to_owned(),
        Table::create()
            .table("unit_channels")
            .col(big_pk_auto("id"))
            .col(big_integer("unit_id"))
            .col(string("kind"))
            .col(text("address"))
            .col(string("status"))
            .col(text_null("status_reason"))
            .col(ts("created_at"))
            .foreign_key(&mut fk("unit_channels", "unit_id", "units", CASCADE))
            .to_owned(),
        Table::create()
            .table("users")
            .col(big_pk_auto("id"))
            .col(string_uniq("username"))
            .col(text_null("password_hash"))
            .col(string("role"))
            .col(big_integer_null("unit_id"))
            .col(string("locale"))
            .col(integer("failed_logins"))
            .col(ts_null("locked_until"))
            .col(boolean("disabled"))
            .col(ts("created_at"))
            .foreign_key(&mut fk("users", "unit_id", "units", RESTRICT))
            .to_owned(),
        Table::create()
            .table("api_tokens")
            .col(big_pk_auto("id"))
            .col(big_integer("user_id"))
            .col(string("name"))
            .col(string_uniq("token_hash"))
            .col(ts("created_at"))
            .col(ts_null("expires_at"))
            .col(ts_null("revoked_at"))
            .col(ts_null("last_used_at"))
            .foreign_key(&mut fk("api_tokens", "user_id", "users", CASCADE))
            .to_owned(),
        Table::create()
            .table("telegram_links")
            .col(big_pk_auto("id"))
            .col(string_uniq("code_hash"))
            .col(big_integer_null("person_id"))
            .col(big_integer_null("unit_id"))
            .col(ts("created_at"))
            .col(ts("expires_at"))
            .col(ts_null("used_at"))
            .col(string_null("chat_id"))
            .foreign_key(&mut fk("telegram_links", "person_id", "people", CASCADE))
            .foreign_key(&mut fk("telegram_links", "unit_id", "units", CASCADE))
            .to_owned(),
        Table::create()
            .table("telegram_chats")
            .col(big_pk_auto("id"))
            .col(string_uniq("chat_id"))
            .col(big_integer_null("person_id"))
            .col(string("lang"))
            .col(big_integer_null("awaiting_location_for"))
            .col(ts("updated_at"))
            .foreign_key(&mut fk("telegram_chats", "person_id", "people", SET_NULL))
            .to_owned(),
        Table::create()
            .table("telegram_updates")
            .col(big_pk_auto("id"))
            .col(big_integer_uniq("update_id"))
            .col(text("payload"))
            .col(ts("received_at"))
            .col(ts_null("handled_at"))
            .col(ts_null("claimed_until"))
            .col(integer("attempts"))
            .col(text_null("error"))
            .to_owned(),
        Table::create()
            .table("notices")
            .col(big_pk_auto("id"))
            .col(string("title"))
            .col(string("category"))
            .col(string("severity"))
            .col(string("target_name"))
            .col(string("target_kind"))
            .col(string("site_address"))
            .col(double_null("site_lat"))
            .col(double_null("site_lon"))
            .col(text("description"))
            .col(boolean("requires_onsite"))
            .col(big_integer_null("issued_by"))
            .col(ts("issued_at"))
            .foreign_key(&mut fk("notices", "issued_by", "users", SET_NULL))
            .to_owned(),
        Table::create()
            .table("assignments")
            .col(big_pk_auto("id"))
            .col(big_integer("notice_id"))
            .col(big_integer("unit_id"))
            .col(big_integer_null("branch_id"))
            .col(string("status"))
            .col(boolean("requires_onsite"))
            .col(ts("notified_at"))
            .col(ts("deadline_at"))
            .col(ts("original_deadline_at"))
            .col(ts_null("acknowledged_at"))
            .col(ts_null("plan_activated_at"))
            .col(ts_null("on_site_at"))
            .col(ts_null("hq_remote_at"))
            .col(ts_null("resolved_at"))
            .col(ts_null("closed_at"))
            .col(ts_null("stood_down_at"))
            .col(text_null("stand_down_reason"))
            .col(integer("extension_count"))
            .col(ts_null("breached_at"))
            .col(big_integer_null("reassigned_from"))
            .col(text("policy"))
            .col(integer("version"))
            .col(ts("updated_at"))
            .foreign_key(&mut fk("assignments", "notice_id", "notices", RESTRICT))
            .foreign_key(&mut fk("assignments", "unit_id", "units", RESTRICT))
            .foreign_key(&mut fk("assignments", "branch_id", "branches", SET_NULL))
            .foreign_key(&mut fk("assignments", "reassigned_from", "assignments", SET_NULL))
            .to_owned(),
        Table::create()
            .table("milestones")
            .col(big_pk_auto("id"))
            .col(big_integer("assignment_id"))
            .col(string("kind"))
            .col(ts("reached_at"))
            .col(ts("recorded_at"))
            .col(string("source"))
            .col(string("actor"))
            .col(big_integer_null("user_id"))
            .col(big_integer_null("person_id"))
            .col(double_null("lat"))
            .col(double_null("lon"))
            .col(double_null("distance_m"))
            .foreign_key(&mut fk("milestones", "assignment_id", "assignments", CASCADE))
            .to_owned(),
        Table::create()
            .table("timeline_events")
            .col(big_pk_auto("id"))
            .col(big_integer("assignment_id"))
            .col(big_integer("notice_id"))
            .col(string("kind"))
            .col(ts("at"))
            .col(ts("recorded_at"))
            .col(string("source"))
            .col(string("actor"))
            .col(big_integer_null("user_id"))
            .col(big_integer_null("person_id"))
            .col(text_null("note"))
            .col(text_null("data"))
            .foreign_key(&mut fk("timeline_events", "assignment_id", "assignments", CASCADE))
            .to_owned(),
        Table::create()
            .table("bureau_contacts")
            .col(big_pk_auto("id"))
            .col(string("name"))
            .col(string("role"))
            .col(string("kind"))
            .col(text("address"))
            .col(boolean("active"))
            .col(ts("created_at"))
            .to_owned(),
        Table::create()
            .table("timers")
            .col(big_pk_auto("id"))
            .col(big_integer("assignment_id"))
            .col(string("kind"))
            .col(ts("due_at"))
            .col(string("status"))
            .col(ts_null("fired_at"))
            .col(big_integer_null("late_ms"))
            .col(string_null("fired_by"))
            .col(text_null("outcome"))
            .col(ts("created_at"))
            .foreign_key(&mut fk("timers", "assignment_id", "assignments", CASCADE))
            .to_owned(),
        Table::create()
            .table("pages")
            .col(big_pk_auto("id"))
            .col(big_integer_null("assignment_id"))
            .col(big_integer_null("person_id"))
            .col(big_integer_null("bureau_contact_id"))
            .col(big_integer_null("unit_channel_id"))
            .col(big_integer_null("channel_id"))
            .col(string("channel_kind"))
            .col(text("address"))
            .col(string("recipient"))
            .col(string("reason"))
            .col(string("message_key"))
            .col(text("body"))
            .col(string_uniq("idempotency_key"))
            .col(string("status"))
            .col(integer("attempts"))
            .col(ts("next_attempt_at"))
            .col(ts_null("lease_until"))
            .col(ts_null("sent_at"))
            .col(text_null("last_error"))
            .col(string_null("provider_message_id"))
            .col(ts("created_at"))
            .col(ts("updated_at"))
            .foreign_key(&mut fk("pages", "assignment_id", "assignments", CASCADE))
            .foreign_key(&mut fk("pages", "person_id", "people", CASCADE))
            .foreign_key(&mut fk("pages", "bureau_contact_id", "bureau_contacts", CASCADE))
            .foreign_key(&mut fk("pages", "unit_channel_id", "unit_channels", CASCADE))
            .foreign_key(&mut fk("pages", "channel_id", "channels", SET_NULL))
            .to_owned(),
        Table::create()
            .table("closure_reports")
            .col(big_pk_auto("id"))
            .col(big_integer_uniq("assignment_id"))
            .col(string("status"))
            .col(ts_null("event_time"))
            .col(text("description"))
            .col(text("cause"))
            .col(text("impact"))
            .col(text("countermeasures"))
            .col(text("analysis"))
            .col(text("five_tuples"))
            .col(text("propagation_path"))
            .col(text("c2_addresses"))
            .col(text("disposal_recommendations"))
            .col(ts_null("submitted_at"))
            .col(ts_null("reviewed_at"))
            .col(big_integer_null("reviewed_by"))
            .col(text_null("review_comment"))
            .col(ts("created_at"))
            .col(ts("updated_at"))
            .foreign_key(&mut fk("closure_reports", "assignment_id", "assignments", CASCADE))
            .to_owned(),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index("branches", "idx_branches_unit", &["unit_id"], false),
        index("people", "idx_people_unit", &["unit_id"], false),
        index("channels", "idx_channels_person", &["person_id", "priority"], false),
        index("api_tokens", "idx_api_tokens_user", &["user_id"], false),
        index("notices", "idx_notices_issued_at", &["issued_at"], false),
        index("assignments", "idx_assignments_notice", &["notice_id"], false),
        index("assignments", "idx_assignments_unit_notified", &["unit_id", "notified_at"], false),
        index("assignments", "idx_assignments_notified", &["notified_at"], false),
        index("assignments", "idx_assignments_status", &["status"], false),
        index("milestones", "idx_milestones_assignment_kind", &["assignment_id", "kind"], true),
        index("timeline_events", "idx_timeline_assignment", &["assignment_id", "id"], false),
        index("timers", "idx_timers_status_due", &["status", "due_at"], false),
        index("telegram_updates", "idx_telegram_updates_handled", &["handled_at", "update_id"], false),
        index("timers", "idx_timers_assignment", &["assignment_id"], false),
        index("pages", "idx_pages_status_next", &["status", "next_attempt_at"], false),
        index("pages", "idx_pages_assignment", &["assignment_id"], false),
        index("pages", "idx_pages_message", &["message_key"], false),
    ]
}
