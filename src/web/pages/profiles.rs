//! A unit's profile on the web, as the application form has it: the
//! statutory facts, the four contacts and each branch's line with its
//! signed commitment in one form, what is still missing, and the
//! credentials with where each stands. The unit keeps its own, the bureau
//! any unit's; managers read.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use chrono::NaiveDate;

use super::Chrome;
use super::error::{PageError, outcome_flash};
use super::form::blank_none;
use super::notice_form::Choice;
use super::special_reports::choices;
use super::text::{ProfileText, profile};
use crate::AppState;
use crate::app::AppError;
use crate::domain::access::Need;
use crate::domain::labels::Lang;
use crate::domain::profile::credential::{CredentialDraft, CredentialInput, CredentialKind, Expiry, WARN_DAYS};
use crate::domain::profile::{BranchProfileInput, ContactInput, ContactRole, ProfileDraft, ProfileInput};
use crate::domain::{DomainError, FieldError};
use crate::store::sessions::WebSession;
use crate::web::session::{Posted, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units/{id}/profile", get(show).post(save))
        .route("/units/{id}/credentials", post(add_credential))
        .route("/units/{id}/credentials/{credential_id}/remove", post(remove_credential))
}

/// One contact row of the form: its role, and the values held or typed.
pub struct ContactRow {
    pub code: &'static str,
    pub label: &'static str,
    pub name: String,
    pub position: String,
    pub mobile: String,
    pub office_phone: String,
    pub email: String,
}

/// One branch row of the form.
pub struct BranchRow {
    pub id: i64,
    pub name: String,
    pub floor_area: String,
    pub staff_count: String,
    pub security_lead: String,
    pub security_lead_mobile: String,
    pub signed_on: String,
    pub signatory: String,
}

pub struct CredentialLine {
    pub id: i64,
    pub kind: &'static str,
    pub name: String,
    pub holder: String,
    pub number: String,
    pub issuer: String,
    pub valid_until: String,
    pub standing: String,
    /// Lapsed or lapsing: shown flagged.
    pub warn: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "profile.html")]
struct ProfilePage {
    chrome: Chrome,
    p: &'static ProfileText,
    unit_id: i64,
    unit_name: String,
    facts: HashMap<&'static str, String>,
    contacts: Vec<ContactRow>,
    branches: Vec<BranchRow>,
    gaps: Vec<String>,
    credentials: Vec<CredentialLine>,
    kinds: Vec<Choice>,
    can_edit: bool,
    flash: Option<(bool, String)>,
}

impl ProfilePage {
    fn fact(&self, key: &str) -> &str {
        self.facts.get(key).map_or("", String::as_str)
    }
}

fn standing(e: Expiry, p: &ProfileText, lang: Lang) -> (String, bool) {
    let days = |n: i64| match lang {
        Lang::Zh => format!("{n} 天"),
        Lang::En => format!("{n} days"),
    };
    match e {
        Expiry::Lasting => (p.lasting.to_owned(), false),
        Expiry::Valid(_) => (p.valid.to_owned(), false),
        Expiry::Expiring(n) => (format!("{}（{}）", p.expiring, days(n)), true),
        Expiry::Expired(n) => (format!("{}（{}）", p.expired, days(n)), true),
    }
}

/// What a gap code says to a reader.
fn gap_text(code: &str, p: &ProfileText, lang: Lang, branch_names: &HashMap<i64, String>) -> String {
    if let Some(role) = code.strip_prefix("contact:").and_then(ContactRole::from_code) {
        return format!("{}：{}", p.gap_contact, role.label(lang));
    }
    if let Some(id) = code.strip_prefix("commitment:").and_then(|i| i.parse::<i64>().ok()) {
        return format!("{}：{}", branch_names.get(&id).cloned().unwrap_or_default(), p.gap_commitment);
    }
    if code == "legal_representative" { p.gap_legal.to_owned() } else { code.to_owned() }
}

async fn page(
    state: &AppState,
    session: &WebSession,
    unit_id: i64,
    flash: Option<(bool, String)>,
    typed: Option<&HashMap<String, String>>,
) -> Result<ProfilePage, PageError> {
    let lang = session.lang;
    let p = profile(lang);
    let reads = state.app.reads(&session.actor);
    let unit = reads.unit(unit_id).await?;
    let held = reads.profile(unit_id).await?;
    let branches = reads.branches(&unit).await?;
    let branch_names: HashMap<i64, String> = branches.iter().map(|b| (b.id, b.name.clone())).collect();
    let gaps = held.gaps(&branches.iter().map(|b| b.id).collect::<Vec<_>>());
    let c = &held.content;
    // A refused form shows what was typed; otherwise what is held.
    let field = |key: &str, held: Option<String>| match typed {
        Some(t) => t.get(key).cloned().unwrap_or_default(),
        None => held.unwrap_or_default(),
    };
    let mut facts = HashMap::new();
    for (key, value) in [
        ("registered_capital", c.registered_capital.clone()),
        ("legal_representative", c.legal_representative.clone()),
        ("founded_on", c.founded_on.map(|d| d.to_string())),
        ("business_term", c.business_term.clone()),
        ("business_scope", c.business_scope.clone()),
        ("registration_authority", c.registration_authority.clone()),
    ] {
        facts.insert(key, field(key, value));
    }
    let contacts = ContactRole::ALL
        .iter()
        .map(|role| {
            let k = c.contacts.iter().find(|k| k.role == *role);
            let key = |f: &str| format!("{}_{f}", role.code());
            ContactRow {
                code: role.code(),
                label: role.label(lang),
                name: field(&key("name"), k.map(|k| k.name.clone())),
                position: field(&key("position"), k.and_then(|k| k.position.clone())),
                mobile: field(&key("mobile"), k.map(|k| k.mobile.clone())),
                office_phone: field(&key("office_phone"), k.and_then(|k| k.office_phone.clone())),
                email: field(&key("email"), k.and_then(|k| k.email.clone())),
            }
        })
        .collect();
    let branch_rows = branches
        .iter()
        .map(|b| {
            let line = c.branches.iter().find(|l| l.branch_id == b.id);
            let key = |f: &str| format!("b{}_{f}", b.id);
            BranchRow {
                id: b.id,
                name: b.name.clone(),
                floor_area: field(&key("floor_area"), line.and_then(|l| l.floor_area.clone())),
                staff_count: field(&key("staff_count"), line.and_then(|l| l.staff_count).map(|n| n.to_string())),
                security_lead: field(&key("security_lead"), line.and_then(|l| l.security_lead.clone())),
                security_lead_mobile: field(
                    &key("security_lead_mobile"),
                    line.and_then(|l| l.security_lead_mobile.clone()),
                ),
                signed_on: field(
                    &key("signed_on"),
                    line.and_then(|l| l.commitment.as_ref()).map(|k| k.signed_on.to_string()),
                ),
                signatory: field(
                    &key("signatory"),
                    line.and_then(|l| l.commitment.as_ref()).map(|k| k.signatory.clone()),
                ),
            }
        })
        .collect();
    let today = crate::reports::today(state);
    let credentials = reads
        .credentials(Some(unit_id), None)
        .await?
        .into_iter()
        .map(|k| {
            let (standing, warn) = standing(k.content.expiry(today, WARN_DAYS), p, lang);
            let d = k.content;
            CredentialLine {
                id: k.id,
                kind: d.kind.label(lang),
                name: d.name,
                holder: d.holder.unwrap_or_default(),
                number: d.number.unwrap_or_default(),
                issuer: d.issuer.unwrap_or_default(),
                valid_until: d.valid_until.map(|v| v.to_string()).unwrap_or_default(),
                standing,
                warn,
            }
        })
        .collect();
    Ok(ProfilePage {
        chrome: Chrome::new(state, session, &format!("/units/{unit_id}/profile"), "units"),
        p,
        unit_id,
        unit_name: unit.name,
        facts,
        contacts,
        branches: branch_rows,
        gaps: gaps.iter().map(|g| gap_text(g, p, lang, &branch_names)).collect(),
        credentials,
        kinds: choices(CredentialKind::ALL, None, CredentialKind::code, |k| k.label(lang)),
        can_edit: state.app.may(&session.caller(), Need::Report).is_ok(),
        flash,
    })
}

async fn show(State(state): State<AppState>, signed: SignedIn, Path(id): Path<i64>) -> Result<ProfilePage, PageError> {
    page(&state, &signed.session, id, None, None).await
}

fn date(field: &str, raw: &str) -> Result<Option<NaiveDate>, FieldError> {
    match blank_none(raw) {
        None => Ok(None),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| FieldError::new(field, "invalid_date", "a date is YYYY-MM-DD", "日期格式应为 YYYY-MM-DD")),
    }
}

/// The form as the domain's input: the contacts typed (a row left blank is
/// no contact), and a line for every branch on the form.
fn input_of(f: &HashMap<String, String>) -> Result<ProfileInput, DomainError> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let mut errors = Vec::new();
    let founded_on = date("founded_on", &get("founded_on")).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let contacts = ContactRole::ALL
        .iter()
        .filter(|r| {
            !get(&format!("{}_name", r.code())).trim().is_empty()
                || !get(&format!("{}_mobile", r.code())).trim().is_empty()
        })
        .map(|r| {
            let k = |x: &str| get(&format!("{}_{x}", r.code()));
            ContactInput {
                role: *r,
                name: k("name"),
                position: k("position"),
                mobile: k("mobile"),
                office_phone: k("office_phone"),
                email: k("email"),
            }
        })
        .collect();
    let mut ids: Vec<i64> = f
        .keys()
        .filter_map(|k| k.strip_prefix('b').and_then(|r| r.split_once('_')).and_then(|(id, _)| id.parse().ok()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut branches = Vec::new();
    for id in ids {
        let k = |x: &str| get(&format!("b{id}_{x}"));
        let staff_count = match blank_none(&k("staff_count")) {
            None => None,
            Some(n) => match n.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(FieldError::new("staff_count", "invalid", "a whole number", "人员数量应为整数"));
                    None
                }
            },
        };
        let signed_on = date("commitment_signed_on", &k("signed_on")).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        branches.push(BranchProfileInput {
            branch_id: id,
            floor_area: k("floor_area"),
            staff_count,
            security_lead: k("security_lead"),
            security_lead_mobile: k("security_lead_mobile"),
            commitment_signed_on: signed_on,
            commitment_signatory: k("signatory"),
        });
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    Ok(ProfileInput {
        registered_capital: get("registered_capital"),
        legal_representative: get("legal_representative"),
        founded_on,
        business_term: get("business_term"),
        business_scope: get("business_scope"),
        registration_authority: get("registration_authority"),
        contacts,
        branches,
    })
}

async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<HashMap<String, String>>,
) -> Result<ProfilePage, PageError> {
    let session = &posted.session;
    let result: Result<(), AppError> = match input_of(&posted.form).and_then(|i| ProfileDraft::parse(&i)) {
        Ok(d) => state.app.put_profile(&session.caller(), id, d).await,
        Err(e) => Err(e.into()),
    };
    let refused = result.is_err();
    let flash = outcome_flash(result, session.lang)?;
    page(&state, session, id, Some(flash), refused.then_some(&posted.form)).await
}

async fn add_credential(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<HashMap<String, String>>,
) -> Result<ProfilePage, PageError> {
    let session = &posted.session;
    let get = |k: &str| posted.form.get(k).cloned().unwrap_or_default();
    let draft = match (CredentialKind::from_code(get("kind").trim()), date("valid_until", &get("valid_until"))) {
        (Some(kind), Ok(valid_until)) => CredentialDraft::parse(&CredentialInput {
            kind,
            name: get("name"),
            holder: get("holder"),
            number: get("number"),
            issuer: get("issuer"),
            valid_until,
        }),
        (None, _) => Err(DomainError::field("kind", "unknown", "choose one of the options", "请从列表中选择")),
        (_, Err(e)) => Err(DomainError::Invalid(vec![e])),
    };
    let result: Result<(), AppError> = match draft {
        Ok(d) => state.app.add_credential(&session.caller(), id, d).await.map(drop),
        Err(e) => Err(e.into()),
    };
    let flash = outcome_flash(result, session.lang)?;
    page(&state, session, id, Some(flash), None).await
}

async fn remove_credential(
    State(state): State<AppState>,
    Path((id, credential_id)): Path<(i64, i64)>,
    posted: Posted<HashMap<String, String>>,
) -> Result<ProfilePage, PageError> {
    let session = &posted.session;
    let result = state.app.remove_credential(&session.caller(), id, credential_id).await;
    let flash = outcome_flash(result, session.lang)?;
    page(&state, session, id, Some(flash), None).await
}
