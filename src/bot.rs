//! The core side of the Telegram bot: implements what the bot crate may ask
//! (`BotCore`) and its durable inbox over the store, with the same domain
//! services the API uses. A chat acts as the person it is linked to, within
//! that person's unit.

use onsite_telegram::core::{Linked, OpenAssignment, Photo, PhotoKept, ReadConfirmed, Recorded};
use onsite_telegram::poller::Inbox;
use onsite_telegram::{Action, BotCore, BotError, Lang as BotLang};

use crate::AppState;
use crate::app::AppError;
use crate::app::attachments::Upload;
use crate::domain::DomainError;
use crate::domain::access::{Caller, Source};
use crate::domain::assignment::Milestone;
use crate::domain::attachment::Subject;
use crate::domain::duration::format_local;
use crate::domain::geo::Coordinates;
use crate::domain::labels::Lang;
use crate::domain::record::Person;
use crate::domain::sla::evaluate;
use crate::store::StoreError;
use crate::store::assignments::Change;
use crate::store::telegram::{LinkRefusal, LinkedTo};

#[derive(Clone)]
pub struct CoreBot {
    state: AppState,
}

impl CoreBot {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    async fn person(&self, chat_id: i64) -> Result<Person, BotError> {
        let chat = self.state.store.telegram_chat(chat_id).await.map_err(internal)?.ok_or(BotError::NotLinked)?;
        let id = chat.person_id.ok_or(BotError::NotLinked)?;
        // The linked chat is the proof of who this is, in whichever unit.
        self.state.app.reads_for_proof().person(id).await.map_err(|_| BotError::NotLinked)
    }

    /// The chat's person, as the application layer's caller.
    async fn caller(&self, chat_id: i64) -> Result<Caller, BotError> {
        let p = self.person(chat_id).await?;
        Ok(p.caller(Source::Bot))
    }

    /// Applies a milestone as the chat's person; also returns the distance
    /// to the site, if a location was given.
    async fn record(
        &self,
        chat_id: i64,
        assignment_id: i64,
        change: Change,
    ) -> Result<(Recorded, Option<f64>), BotError> {
        let caller = self.caller(chat_id).await?;
        let milestone = match &change {
            Change::Milestone { milestone, .. } => *milestone,
            _ => return Err(BotError::Internal),
        };
        let recorded = self.state.app.change_assignment(&caller, assignment_id, change).await.map_err(refusal)?;
        let Caller::Person(person) = caller else { return Err(BotError::Internal) };
        let done = Recorded {
            person: person.name,
            milestone_zh: milestone.label(Lang::Zh).to_owned(),
            milestone_en: milestone.label(Lang::En).to_owned(),
            at_local: format_local(recorded.event.at, self.state.tz),
        };
        Ok((done, recorded.distance_m))
    }

    /// The assignment a message is about: the page it replies to, else the
    /// one whose on-site report is awaited, else the unit's only open one;
    /// `Err(None)` when none of these tells.
    async fn assignment_meant(
        &self,
        chat_id: i64,
        person: &Person,
        reply_to_message: Option<i32>,
        awaited: Option<i64>,
    ) -> Result<i64, Option<BotError>> {
        let replied = match reply_to_message {
            Some(m) => {
                self.state.store.assignment_of_telegram_message(chat_id, m).await.map_err(|e| Some(internal(e)))?
            }
            None => None,
        };
        if let Some(id) = replied.or(awaited) {
            return Ok(id);
        }
        let reads = self.state.app.reads(&person.caller(Source::Bot));
        let open = reads.open_assignments(person.unit_id).await.map_err(|e| Some(internal(e)))?;
        match open.as_slice() {
            [(only, _)] => Ok(only.id),
            _ => Err(None),
        }
    }
}

fn internal(e: StoreError) -> BotError {
    tracing::error!(error = %e, "bot request failed");
    BotError::Internal
}

/// Turns the application layer's refusal into words for the chat.
fn refusal(e: AppError) -> BotError {
    match e {
        AppError::Denied(need) => {
            BotError::Refused { zh: need.refusal(Lang::Zh).to_owned(), en: need.refusal(Lang::En).to_owned() }
        }
        AppError::Store(StoreError::NotFound { .. }) => BotError::NotYourUnit,
        AppError::Store(StoreError::Domain(DomainError::Conflict { message, message_zh, .. })) => {
            BotError::Refused { zh: message_zh, en: message }
        }
        AppError::Store(StoreError::Domain(DomainError::Invalid(errors))) => BotError::Refused {
            zh: errors.iter().map(|e| e.message_zh.clone()).collect::<Vec<_>>().join("；"),
            en: errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "),
        },
        AppError::Store(other) => internal(other),
        AppError::Evidence(e) => {
            tracing::error!(error = %e, "bot request failed");
            BotError::Internal
        }
    }
}

fn milestone_of(action: Action) -> Milestone {
    match action {
        Action::Acknowledge => Milestone::Acknowledged,
        Action::PlanActivated => Milestone::PlanActivated,
        Action::OnSite => Milestone::OnSite,
        Action::HqRemote => Milestone::HqRemote,
    }
}

#[async_trait::async_trait]
impl BotCore for CoreBot {
    async fn link(&self, user: i64, chat: i64, code: &str) -> Result<Linked, BotError> {
        if !self.state.throttles.link_code(chat).await {
            tracing::warn!(chat, "link-code rate limit reached");
            return Err(BotError::TooManyAttempts);
        }
        match self.state.store.consume_link_code(code, user, chat, self.state.clock.now()).await.map_err(internal)? {
            Ok(LinkedTo::Person { person, unit }) => Ok(Linked { person: Some(person.name), unit }),
            Ok(LinkedTo::DutyGroup { unit }) => Ok(Linked { person: None, unit }),
            Err(LinkRefusal::Unknown) => Err(BotError::UnknownCode),
            Err(LinkRefusal::Expired) => Err(BotError::ExpiredCode),
            Err(LinkRefusal::Used) => Err(BotError::UsedCode),
        }
    }

    async fn press(&self, chat_id: i64, action: Action, assignment_id: i64) -> Result<Recorded, BotError> {
        self.record(chat_id, assignment_id, Change::milestone(milestone_of(action))).await.map(|(done, _)| done)
    }

    async fn confirm_read(&self, chat_id: i64, receipt_id: i64) -> Result<ReadConfirmed, BotError> {
        let caller = self.caller(chat_id).await?;
        let confirmed = self.state.app.confirm_receipt(&caller, receipt_id).await.map_err(|e| match e {
            AppError::Store(StoreError::NotFound { .. }) => BotError::Refused {
                zh: "这不是发给本单位的工作指示，未确认。".into(),
                en: "this instruction was not passed to your unit; nothing confirmed".into(),
            },
            other => refusal(other),
        })?;
        let r = confirmed.receipt;
        Ok(ReadConfirmed {
            title: confirmed.instruction.title,
            by: r.confirmed_by.unwrap_or_default(),
            at_local: r.confirmed_at.map(|at| format_local(at, self.state.tz)).unwrap_or_default(),
            now: confirmed.now,
        })
    }

    async fn await_location(&self, chat_id: i64, assignment_id: i64) -> Result<(), BotError> {
        let caller = self.caller(chat_id).await?;
        self.state.app.reads(&caller).assignment(assignment_id).await.map_err(|e| refusal(e.into()))?;
        let now = self.state.clock.now();
        self.state.store.update_telegram_chat(chat_id, None, Some(Some(assignment_id)), now).await.map_err(internal)
    }

    async fn location(&self, chat_id: i64, lat: f64, lon: f64) -> Result<(Recorded, Option<f64>), BotError> {
        let chat = self.state.store.telegram_chat(chat_id).await.map_err(internal)?.ok_or(BotError::NotLinked)?;
        let assignment_id = chat.awaiting_location_for.ok_or_else(|| BotError::Refused {
            zh: "请先在派单消息下点击“已到达现场”".into(),
            en: "press \"On site\" under the page first".into(),
        })?;
        let here = Coordinates::parse("location", lat, lon)
            .map_err(|e| BotError::Refused { zh: e.message_zh, en: e.message })?;
        let radius = self.state.config.telegram.onsite_radius_m;
        let change = Change::Milestone {
            milestone: Milestone::OnSite,
            at: None,
            note: None,
            location: Some(here),
            flag_beyond_m: Some(radius),
        };
        let (recorded, distance) = self.record(chat_id, assignment_id, change).await?;
        let now = self.state.clock.now();
        self.state.store.update_telegram_chat(chat_id, None, Some(None), now).await.map_err(internal)?;
        Ok((recorded, distance.filter(|d| *d > radius)))
    }

    async fn status(&self, chat_id: i64) -> Result<Vec<OpenAssignment>, BotError> {
        let person = self.person(chat_id).await?;
        let now = self.state.clock.now();
        let reads = self.state.app.reads(&person.caller(Source::Bot));
        let open = reads.open_assignments(person.unit_id).await.map_err(internal)?;
        open.into_iter()
            .map(|(a, title)| {
                let state = a.state.clone();
                let verdict = evaluate(&state, &a.policy, now);
                Ok(OpenAssignment {
                    id: a.id,
                    title,
                    status_zh: state.status.label(Lang::Zh).to_owned(),
                    status_en: state.status.label(Lang::En).to_owned(),
                    remaining_seconds: verdict.remaining_seconds.unwrap_or((a.state.deadline_at - now).num_seconds()),
                })
            })
            .collect()
    }

    async fn note(&self, chat_id: i64, reply_to_message: Option<i32>, text: &str) -> Result<i64, BotError> {
        let person = self.person(chat_id).await?;
        let caller = person.caller(Source::Bot);
        let assignment_id = self.assignment_meant(chat_id, &person, reply_to_message, None).await.map_err(|e| {
            e.unwrap_or(BotError::Refused {
                zh: "请直接回复要备注的派单消息".into(),
                en: "reply to the page the note is about".into(),
            })
        })?;
        let note = Change::note(text).map_err(|e| refusal(e.into()))?;
        self.state.app.change_assignment(&caller, assignment_id, note).await.map_err(refusal)?;
        Ok(assignment_id)
    }

    async fn photo(&self, chat_id: i64, reply_to_message: Option<i32>, photo: Photo) -> Result<PhotoKept, BotError> {
        let person = self.person(chat_id).await?;
        let chat = self.state.store.telegram_chat(chat_id).await.map_err(internal)?.ok_or(BotError::NotLinked)?;
        let awaited = chat.awaiting_location_for;
        let assignment_id = self.assignment_meant(chat_id, &person, reply_to_message, awaited).await.map_err(|e| {
            e.unwrap_or(BotError::Refused {
                zh: "请直接回复派单消息发送现场照片".into(),
                en: "send the photo in reply to the page it is about".into(),
            })
        })?;
        let name = photo.name.unwrap_or_else(|| format!("现场照片-{assignment_id}.jpg"));
        let upload = Upload::from_bytes(name, photo.bytes.into());
        let subject = Subject::milestone(assignment_id, Milestone::OnSite);
        let kept = self.state.app.attach(&person.caller(Source::Bot), subject, upload).await.map_err(refusal)?;
        Ok(PhotoKept {
            assignment_id,
            distance_m: kept.place.and_then(|p| p.distance_m),
            far: kept.place.is_some_and(|p| p.far_from_site),
        })
    }

    fn max_photo_bytes(&self) -> u64 {
        self.state.config.evidence.limits().image
    }

    async fn lang(&self, chat_id: i64) -> BotLang {
        match self.state.store.telegram_chat(chat_id).await {
            Ok(Some(c)) if c.lang == Lang::En => BotLang::En,
            _ => BotLang::Zh,
        }
    }

    async fn set_lang(&self, chat_id: i64, lang: BotLang) -> Result<(), BotError> {
        let lang = if lang == BotLang::En { Lang::En } else { Lang::Zh };
        self.state.store.update_telegram_chat(chat_id, Some(lang), None, self.state.clock.now()).await.map_err(internal)
    }
}

#[async_trait::async_trait]
impl Inbox for CoreBot {
    async fn next_offset(&self) -> Result<i32, BotError> {
        let next = self.state.store.next_update_offset().await.map_err(internal)?;
        i32::try_from(next).map_err(|_| BotError::Internal)
    }

    async fn store(&self, updates: &[(i64, String)]) -> Result<(), BotError> {
        self.state.store.store_updates(updates, self.state.clock.now()).await.map_err(internal)
    }
}
