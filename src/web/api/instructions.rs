//! Instructions (工作指示) over the API: the bureau issues them and reads
//! every unit's receipt; a unit reads and confirms its own; managers read.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::access::{Caller, Source};
use crate::domain::instruction::{Instruction, InstructionInput, Receipt, Standing};
use crate::reports::local;
use crate::web::auth::Authenticated;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(issue, list)).routes(routes!(get_one)).routes(routes!(confirm))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptView {
    pub unit_id: i64,
    pub unit_name: String,
    /// Whom it was passed to: the liaisons, or the support leads when the
    /// unit had no liaison to reach; empty when nobody could be reached.
    pub delivered_to: Vec<String>,
    pub standing: Standing,
    pub confirmed_at: Option<DateTime<FixedOffset>>,
    pub confirmed_by: Option<String>,
    pub confirmed_via: Option<Source>,
    pub reminded_at: Option<DateTime<FixedOffset>>,
    pub escalated_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InstructionView {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub all_units: bool,
    pub confirm_by: DateTime<FixedOffset>,
    pub issued_at: DateTime<FixedOffset>,
    pub issued_by: String,
    /// Units it was passed to, and how many confirmed (in the caller's scope).
    pub units: u32,
    pub confirmed: u32,
    /// Each unit's receipt in the caller's scope (on one instruction's read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipts: Option<Vec<ReceiptView>>,
}

fn receipt_view(state: &AppState, r: Receipt, i: &Instruction) -> ReceiptView {
    let at = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| local(t, state.tz));
    ReceiptView {
        standing: r.standing(i.confirm_by, state.clock.now()),
        unit_id: r.unit_id,
        unit_name: r.unit_name,
        delivered_to: r.delivered_to,
        confirmed_at: at(r.confirmed_at),
        confirmed_by: r.confirmed_by,
        confirmed_via: r.confirmed_via,
        reminded_at: at(r.reminded_at),
        escalated_at: at(r.escalated_at),
    }
}

fn view(state: &AppState, i: Instruction, receipts: Option<Vec<Receipt>>) -> InstructionView {
    let receipts = receipts.map(|rs| rs.into_iter().map(|r| receipt_view(state, r, &i)).collect());
    InstructionView {
        id: i.id,
        confirm_by: local(i.confirm_by, state.tz),
        issued_at: local(i.issued_at, state.tz),
        title: i.title,
        body: i.body,
        all_units: i.all_units,
        issued_by: i.issued_by,
        units: i.units,
        confirmed: i.confirmed,
        receipts,
    }
}

/// Issue an instruction to some units (`unit_ids`) or all (none named):
/// each unit's liaisons are told at once.
#[utoipa::path(post, path = "/instructions", tag = "instructions", request_body = InstructionInput,
    responses((status = 201, body = InstructionView), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn issue(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<InstructionInput>,
) -> Result<(StatusCode, Json<InstructionView>), ApiError> {
    let issued = state.app.issue_instruction(&Caller::User(actor.clone()), &input).await?;
    let (i, receipts) = state.app.reads(&actor).instruction(issued.id).await?;
    Ok((StatusCode::CREATED, Json(view(&state, i, Some(receipts)))))
}

/// The instructions in the caller's scope, newest first.
#[utoipa::path(get, path = "/instructions", tag = "instructions",
    responses((status = 200, body = [InstructionView])), security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<InstructionView>>, ApiError> {
    let found = state.app.reads(&actor).instructions().await?;
    Ok(Json(found.into_iter().map(|i| view(&state, i, None)).collect()))
}

/// An instruction with its receipt table (a unit sees its own receipt).
#[utoipa::path(get, path = "/instructions/{id}", tag = "instructions", params(("id" = i64, Path)),
    responses((status = 200, body = InstructionView), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<InstructionView>, ApiError> {
    let (i, receipts) = state.app.reads(&actor).instruction(id).await?;
    Ok(Json(view(&state, i, Some(receipts))))
}

/// Confirm that the caller's unit read the instruction: a unit's user only.
/// Confirming again changes nothing and returns the first confirmation.
#[utoipa::path(post, path = "/instructions/{id}/confirm", tag = "instructions", params(("id" = i64, Path)),
    responses((status = 200, body = ReceiptView), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn confirm(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReceiptView>, ApiError> {
    let confirmed = state.app.confirm_instruction(&Caller::User(actor), id).await?;
    Ok(Json(receipt_view(&state, confirmed.receipt, &confirmed.instruction)))
}
