use super::super::{read, write};
use super::*;
use crate::fixtures::t0;
use crate::people::{ChannelKind, ChannelStatus, Role};
use crate::policy::PolicyOverride;

fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

const HEADER: &[&str] =
    &["单位名称", "统一社会信用代码", "总部地址", "机构名称", "办公地点", "分类", "姓名", "手机", "接收渠道"];

fn stored() -> Vec<CurrentUnit> {
    let unit = Unit {
        id: 7,
        name: "甲公司".into(),
        credit_code: Some("91500000MA5U000000".into()),
        hq_address: Some("北京".into()),
        policy_override: PolicyOverride::default(),
        created_at: t0(),
    };
    let branch = Branch {
        id: 70,
        unit_id: 7,
        name: "渝中分公司".into(),
        district: Some("渝中区".into()),
        address: "解放碑".into(),
        lat: Some(29.55),
        lon: Some(106.57),
        created_at: t0(),
    };
    let person = Person {
        id: 700,
        unit_id: 7,
        branch_id: Some(70),
        name: "张三".into(),
        phone: Some("13800138000".into()),
        role: Role::Engineer,
        details: PersonDetails::default(),
        active: true,
        created_at: t0(),
    };
    let channel = Channel {
        id: 7000,
        person_id: 700,
        kind: ChannelKind::Sms,
        address: "13800138000".into(),
        priority: 1,
        status: ChannelStatus::Active,
        status_reason: None,
        created_at: t0(),
    };
    vec![CurrentUnit { unit, branches: vec![branch], people: vec![(person, vec![channel])] }]
}

fn plan_of(rows: &[&[&str]]) -> Result<Plan, DomainError> {
    plan(&read(&table(rows)).unwrap(), &stored())
}

#[test]
fn the_exported_registry_imports_with_nothing_to_do() {
    let exported = write(&stored());
    assert_eq!(exported.len(), 2, "headers and one person's row");
    let plan = plan(&read(&exported).unwrap(), &stored()).unwrap();
    assert!(plan.is_empty(), "{:?}", plan.counts());
    assert_eq!(plan.counts().people.unchanged, 1);
}

#[test]
fn blank_cells_keep_what_is_stored_and_new_values_update_it() {
    let plan = plan_of(&[
        HEADER,
        &["甲公司", "", "", "渝中分公司", "", "技术人员", "张三", "", "短信:13800138000；Telegram:42"],
        &["甲公司", "", "上海", "", "", "技术人员", "李四", "13900139000", ""],
        &["乙公司", "", "", "江北分公司", "观音桥", "接口人", "王五", "", ""],
    ])
    .unwrap();
    let c = plan.counts();
    assert_eq!(c.units, Counts { created: 1, updated: 1, unchanged: 0 });
    assert_eq!(c.branches, Counts { created: 1, updated: 0, unchanged: 0 }, "a branch only named is left alone");
    assert_eq!(c.people, Counts { created: 2, updated: 0, unchanged: 1 });
    assert_eq!(c.channels_added, 1, "the SMS channel is there already");
    let unit = &plan.units[0];
    assert_eq!(unit.draft.credit_code.as_deref(), Some("91500000MA5U000000"));
    assert_eq!(unit.draft.hq_address.as_deref(), Some("上海"));
    assert_eq!(unit.people[0].draft.phone.as_deref(), Some("13800138000"));
    assert_eq!(unit.people[0].branch.as_deref(), Some("渝中分公司"));
}

#[test]
fn a_unit_is_found_by_its_credit_code_before_its_name() {
    let plan = plan_of(&[HEADER, &["甲科技有限公司", "91500000MA5U000000", "", "", "", "", "", "", ""]]).unwrap();
    assert_eq!((plan.units[0].id, plan.units[0].change), (Some(7), Change::Update), "renamed");
}

#[test]
fn clashes_with_the_stored_registry_are_named_by_cell() {
    let Err(DomainError::Invalid(errs)) = plan_of(&[
        HEADER,
        &["甲公司", "91500000MA5U000009", "", "", "", "", "", "", ""],
        &["丙公司", "", "", "新分公司", "", "技术人员", "赵六", "", ""],
    ]) else {
        panic!("expected errors")
    };
    let cells: Vec<_> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(cells, [("B2", "credit_code_differs"), ("E3", "unknown_branch")]);
}

#[test]
fn two_rows_may_not_name_one_stored_unit_twice() {
    let Err(DomainError::Invalid(errs)) = plan_of(&[
        HEADER,
        &["甲公司", "", "", "", "", "", "", "", ""],
        &["甲科技", "91500000MA5U000000", "", "", "", "", "", "", ""],
    ]) else {
        panic!("expected errors")
    };
    assert_eq!(errs.iter().map(|e| (e.field.as_str(), e.code)).collect::<Vec<_>>(), [("A3", "same_unit_twice")]);
}
