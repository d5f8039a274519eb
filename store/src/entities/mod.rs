//! sea-orm entities, one per table of the migrations. Relations are not
//! declared: queries join explicitly where they need to.

pub mod api_token;
pub mod assignment;
pub mod audit_entry;
pub mod audit_head;
pub mod branch;
pub mod bureau_contact;
pub mod callback_receipt;
pub mod channel;
pub mod closure_report;
pub mod enterprise;
pub mod milestone;
pub mod notice;
pub mod page;
pub mod person;
pub mod protection_period;
pub mod report_breach;
pub mod report_cell;
pub mod report_meta;
pub mod roster;
pub mod roster_override;
pub mod screening_task;
pub mod sms_reply_code;
pub mod special_report;
pub mod special_report_event;
pub mod special_report_target;
pub mod telegram_chat;
pub mod telegram_link;
pub mod telegram_update;
pub mod timeline_event;
pub mod timer;
pub mod unit;
pub mod unit_channel;
pub mod user;
pub mod web_session;
