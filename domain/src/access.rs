//! Who may do what. Roles and scopes are pure values; the store filters every
//! query by the actor's scope and the handlers ask these questions, the
//! role's first: a role that may never do something is told so (403) for any
//! subject, and only then is the subject looked up in the actor's scope
//! (404 outside it, so another unit's records are never confirmed to exist).
//! `docs/access-matrix.csv` is the written rule, checked route by route.

use crate::labelled_enum;
use crate::labels::Lang;

labelled_enum! {
    /// The role of a web or API user.
    pub enum UserRole {
        Admin => ("admin", "管理员", "Administrator"),
        Bureau => ("bureau", "通管局值班人员", "Bureau staff"),
        Manager => ("manager", "管理人员", "Manager"),
        Unit => ("unit", "支撑单位用户", "Support unit user"),
    }
}

/// Which units' data an actor may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    All,
    Unit(i64),
}

impl Scope {
    pub fn allows_unit(self, unit_id: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Unit(id) => id == unit_id,
        }
    }
}

labelled_enum! {
    /// Where an action came from, recorded on the timeline.
    pub enum Source {
        Web => ("web", "网页", "Web"),
        Api => ("api", "接口", "API"),
        Bot => ("bot", "机器人", "Bot"),
        Wecom => ("wecom", "企业微信", "WeCom"),
        Feishu => ("feishu", "飞书", "Feishu"),
        Dingtalk => ("dingtalk", "钉钉", "DingTalk"),
        Sms => ("sms", "短信", "SMS"),
        Voice => ("voice", "语音电话", "Voice call"),
        System => ("system", "系统", "System"),
    }
}

/// An authenticated user acting through the web or the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: UserRole,
    /// The unit a `unit` user (or a unit-scoped manager) belongs to.
    pub unit_id: Option<i64>,
    pub source: Source,
    /// The client's address, when the actor came over HTTP.
    pub address: Option<std::net::IpAddr>,
}

impl Actor {
    pub fn scope(&self) -> Scope {
        match (self.role, self.unit_id) {
            (UserRole::Admin | UserRole::Bureau, _) => Scope::All,
            (_, Some(unit)) => Scope::Unit(unit),
            // A manager without a unit is bureau-wide; a unit user without a
            // unit cannot be created, and would see nothing if it existed.
            (UserRole::Manager, None) => Scope::All,
            (UserRole::Unit, None) => Scope::Unit(-1),
        }
    }

    /// Issue notices, extend deadlines, stand down, close.
    pub fn can_direct(&self) -> bool {
        matches!(self.role, UserRole::Admin | UserRole::Bureau)
    }

    /// Create and edit units, branches, people and channels.
    pub fn can_manage_registry(&self) -> bool {
        matches!(self.role, UserRole::Admin | UserRole::Bureau)
    }

    /// Report milestones, add notes and write closure reports, for the
    /// units in scope.
    pub fn can_report(&self) -> bool {
        matches!(self.role, UserRole::Admin | UserRole::Bureau | UserRole::Unit)
    }

    /// Report a milestone or add a note on an assignment of `unit_id`.
    pub fn can_report_for(&self, unit_id: i64) -> bool {
        self.can_report() && self.scope().allows_unit(unit_id)
    }

    /// Read anything about `unit_id`.
    pub fn can_view_unit(&self, unit_id: i64) -> bool {
        self.scope().allows_unit(unit_id)
    }
}

/// What a use case needs of the caller's role, asked before any subject is
/// looked up: a role that may never do it is refused for every subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Issue notices, act on the clock, reassign, close, review reports.
    Direct,
    /// Report milestones, notes, closure reports and rosters for a unit.
    Report,
    /// Create and change units, branches, people and channels.
    Registry,
    /// See what is the bureau's own (its contacts): the whole province in view.
    Bureau,
    /// Users, their roles and their API tokens.
    Admin,
    /// What only the unit itself may say: that it read an instruction.
    OwnUnit,
}

impl Need {
    /// Why a caller without it is refused, in `lang`.
    pub fn refusal(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Need::Direct, Lang::Zh) => "只有管理员和通管局值班人员可以执行此操作",
            (Need::Direct, Lang::En) => "only administrators and bureau staff may do this",
            (Need::Report, Lang::Zh) => "只有支撑单位和通管局值班人员可以填报，管理人员只读",
            (Need::Report, Lang::En) => "only the unit and bureau staff report; managers read",
            (Need::Registry, Lang::Zh) => "只有管理员和通管局值班人员可以管理单位名录",
            (Need::Registry, Lang::En) => "only administrators and bureau staff manage the registry",
            (Need::Bureau, Lang::Zh) => "仅限通管局人员",
            (Need::Bureau, Lang::En) => "this is the bureau's own",
            (Need::Admin, Lang::Zh) => "只有管理员可以管理用户和令牌",
            (Need::Admin, Lang::En) => "only administrators manage users and tokens",
            (Need::OwnUnit, Lang::Zh) => "只有支撑单位本单位人员可以确认",
            (Need::OwnUnit, Lang::En) => "only the unit's own people may confirm this",
        }
    }
}

/// A person of a unit acting from one of their channels (a chat app, an
/// action link): they report for their own unit and direct nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonCaller {
    pub person_id: i64,
    pub name: String,
    pub unit_id: i64,
    pub source: Source,
}

/// Whoever reads, through any door: what they may see.
pub trait Reader {
    fn scope(&self) -> Scope;
}

impl<T: Reader + ?Sized> Reader for &T {
    fn scope(&self) -> Scope {
        (**self).scope()
    }
}

impl Reader for Actor {
    fn scope(&self) -> Scope {
        Actor::scope(self)
    }
}

impl Reader for Caller {
    fn scope(&self) -> Scope {
        Caller::scope(self)
    }
}

/// Whoever asks the application layer for something, through any door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    User(Actor),
    Person(PersonCaller),
}

impl Caller {
    pub fn scope(&self) -> Scope {
        match self {
            Caller::User(actor) => actor.scope(),
            Caller::Person(p) => Scope::Unit(p.unit_id),
        }
    }

    /// The role check every use case opens with.
    pub fn require(&self, need: Need) -> Result<(), Need> {
        let allowed = match (self, need) {
            (Caller::User(a), Need::Direct) => a.can_direct(),
            (Caller::User(a), Need::Report) => a.can_report(),
            (Caller::User(a), Need::Registry) => a.can_manage_registry(),
            (Caller::User(a), Need::Admin) => a.role == UserRole::Admin,
            (_, Need::Bureau) => self.scope() == Scope::All,
            (Caller::Person(_), Need::Report | Need::OwnUnit) => true,
            (Caller::User(a), Need::OwnUnit) => a.role == UserRole::Unit,
            (Caller::Person(_), Need::Direct | Need::Registry | Need::Admin) => false,
        };
        if allowed { Ok(()) } else { Err(need) }
    }
}

/// Who an action is attributed to, on the timeline and in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct By {
    pub source: Source,
    /// A readable name: the username, the person's name, or `system`.
    pub label: String,
    pub user_id: Option<i64>,
    pub person_id: Option<i64>,
    /// Where the request came from, when it came over HTTP (the audit log).
    pub address: Option<std::net::IpAddr>,
}

impl By {
    pub fn user(actor: &Actor) -> Self {
        Self {
            source: actor.source,
            label: actor.username.clone(),
            user_id: Some(actor.user_id),
            person_id: None,
            address: actor.address,
        }
    }

    /// Whoever called the application layer.
    pub fn caller(caller: &Caller) -> Self {
        match caller {
            Caller::User(actor) => Self::user(actor),
            Caller::Person(p) => Self::person(p.source, &p.name, p.person_id),
        }
    }

    /// A person acting through the bot or an action link.
    pub fn person(source: Source, name: &str, person_id: i64) -> Self {
        Self { source, label: name.to_owned(), user_id: None, person_id: Some(person_id), address: None }
    }

    /// Someone at the server's console (the CLI, the demo, the bench).
    pub fn operator(label: &str) -> Self {
        Self { source: Source::System, label: label.to_owned(), user_id: None, person_id: None, address: None }
    }

    /// Someone on Telegram not (yet) known as a person.
    pub fn bot() -> Self {
        Self { source: Source::Bot, label: "telegram".into(), user_id: None, person_id: None, address: None }
    }

    pub fn system() -> Self {
        Self { source: Source::System, label: "system".into(), user_id: None, person_id: None, address: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: UserRole, unit_id: Option<i64>) -> Actor {
        Actor { user_id: 1, username: "u".into(), role, unit_id, source: Source::Api, address: None }
    }

    #[test]
    fn a_unit_user_sees_and_reports_only_for_its_unit() {
        let a = actor(UserRole::Unit, Some(7));
        assert!(a.can_view_unit(7) && a.can_report_for(7));
        assert!(!a.can_view_unit(8) && !a.can_report_for(8));
        assert!(!a.can_direct() && !a.can_manage_registry());
    }

    #[test]
    fn bureau_staff_direct_and_see_everything() {
        let a = actor(UserRole::Bureau, None);
        assert!(a.can_direct() && a.can_view_unit(99) && a.can_report_for(99));
    }

    #[test]
    fn managers_read_but_do_not_act() {
        let wide = actor(UserRole::Manager, None);
        assert!(wide.can_view_unit(3) && !wide.can_report_for(3) && !wide.can_direct());
        let scoped = actor(UserRole::Manager, Some(3));
        assert!(scoped.can_view_unit(3) && !scoped.can_view_unit(4));
    }

    #[test]
    fn a_unit_user_without_a_unit_sees_nothing() {
        assert!(!actor(UserRole::Unit, None).can_view_unit(1));
    }

    #[test]
    fn a_person_on_a_channel_reports_for_their_unit_and_directs_nothing() {
        let p = Caller::Person(PersonCaller { person_id: 5, name: "王工".into(), unit_id: 7, source: Source::Bot });
        assert_eq!(p.scope(), Scope::Unit(7));
        assert_eq!(p.require(Need::Report), Ok(()));
        assert_eq!(p.require(Need::Direct), Err(Need::Direct));
        assert_eq!(p.require(Need::Registry), Err(Need::Registry));
    }

    #[test]
    fn a_manager_is_refused_reporting_with_a_reason_in_both_languages() {
        let m = Caller::User(actor(UserRole::Manager, None));
        let need = m.require(Need::Report).unwrap_err();
        assert!(need.refusal(Lang::Zh).contains("只读") && need.refusal(Lang::En).contains("managers read"));
    }
}
