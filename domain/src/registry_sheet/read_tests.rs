use super::*;

fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

const HEADER: &[&str] =
    &["序号", "单位名称", "统一社会信用代码", "机构名称", "办公地点", "分类", "姓名", "手机", "邮箱", "接收渠道"];

fn errors(t: &[Vec<String>]) -> Vec<(String, &'static str)> {
    let Err(DomainError::Invalid(errs)) = read(t) else { panic!("expected errors") };
    errs.into_iter().map(|e| (e.field, e.code)).collect()
}

#[test]
fn rows_of_one_unit_are_grouped_with_their_branches_and_people() {
    let t = table(&[
        HEADER,
        &[
            "1",
            "某安全公司",
            "91500000MA5U000000",
            "渝中分公司",
            "解放碑",
            "网络安全应急工作负责人",
            "张三",
            "138 0013 8000",
            "",
            "短信:13800138000；Telegram:42",
        ],
        &["2", "某安全公司", "", "渝中分公司", "", "技术人员", "李四", "13900139000", "li@example.com", ""],
        &["3", "某安全公司", "", "江北分公司", "观音桥", "", "", "", "", ""],
        &["", "", "", "", "", "", "", "", "", ""],
    ]);
    let sheet = read(&t).unwrap();
    assert_eq!(sheet.ignored_columns, vec!["序号"]);
    let [unit] = sheet.units.as_slice() else { panic!("one unit") };
    assert_eq!(unit.draft.credit_code.as_deref(), Some("91500000MA5U000000"));
    assert_eq!(unit.branches.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(), ["渝中分公司", "江北分公司"]);
    assert_eq!(unit.people.len(), 2);
    assert_eq!(unit.people[0].draft.role, Role::EmergencyLead);
    assert_eq!(unit.people[0].draft.phone.as_deref(), Some("13800138000"));
    assert_eq!(unit.people[0].channels.len(), 2);
    assert_eq!(unit.people[1].branch.as_deref(), Some("渝中分公司"));
    assert_eq!(unit.people[1].draft.details.email.as_deref(), Some("li@example.com"));
}

#[test]
fn every_bad_cell_is_named_by_its_reference() {
    let t = table(&[
        HEADER,
        &["1", "某安全公司", "123", "", "", "技术人员", "张三", "", "", ""],
        &["2", "", "", "", "", "技术人员", "王五", "", "", ""],
        &["3", "乙公司", "", "渝北", "", "遴选工作联系人", "赵六", "call me", "zhao@", "短信:123；飞鸽:1；http://x"],
        &["4", "乙公司", "", "", "", "技术人员", "", "", "", ""],
    ]);
    let expected = [
        ("C2", "invalid_credit_code"),
        ("B3", "required"),
        ("F4", "unknown_role"),
        ("H4", "invalid_phone"),
        ("I4", "invalid_email"),
        ("J4", "invalid_channel"),
        ("J4", "invalid_channel"),
        ("J4", "invalid_channel"),
        ("G5", "required"),
    ];
    assert_eq!(errors(&t), expected.map(|(cell, code)| (cell.to_owned(), code)).to_vec());
}

#[test]
fn messages_name_the_row_and_column_in_both_languages() {
    let t = table(&[HEADER, &["1", "某安全公司", "123", "", "", "", "", "", "", ""]]);
    let Err(DomainError::Invalid(errs)) = read(&t) else { panic!() };
    assert!(errs[0].message_zh.starts_with("第 2 行「统一社会信用代码」（C2）："), "{}", errs[0].message_zh);
    assert!(errs[0].message.starts_with("row 2, Credit code (C2): "), "{}", errs[0].message);
}

#[test]
fn duplicates_and_disagreements_between_rows_are_refused() {
    let t = table(&[
        HEADER,
        &["1", "甲公司", "91500000MA5U000000", "渝中", "解放碑", "技术人员", "张三", "", "", ""],
        &["2", "甲公司", "91500000MA5U000001", "渝中", "较场口", "技术人员", "张三", "", "", ""],
        &["3", "乙公司", "91500000MA5U000000", "", "", "", "", "", "", ""],
    ]);
    assert_eq!(
        errors(&t),
        vec![
            ("C3".to_owned(), "conflicting_value"),
            ("E3".to_owned(), "conflicting_value"),
            ("G3".to_owned(), "duplicate_person"),
            ("C4".to_owned(), "duplicate_credit_code"),
        ]
    );
}

#[test]
fn one_person_may_hold_two_of_the_forms_roles() {
    let t = table(&[
        HEADER,
        &["1", "甲公司", "", "", "", "网络安全应急工作负责人", "张三", "", "", ""],
        &["2", "甲公司", "", "", "", "支撑单位工作负责人", "张三", "", "", ""],
        &["3", "甲公司", "", "", "", "支撑单位工作联系人", "李四", "", "", ""],
    ]);
    let sheet = read(&t).unwrap();
    let roles: Vec<_> = sheet.units[0].people.iter().map(|p| p.draft.role).collect();
    assert_eq!(roles, [Role::EmergencyLead, Role::SupportLead, Role::Liaison]);
}

#[test]
fn a_file_without_the_unit_column_or_rows_is_refused_whole() {
    assert_eq!(errors(&[]), vec![("file".to_owned(), "empty")]);
    assert_eq!(errors(&table(&[&["姓名", "手机"]])), vec![("file".to_owned(), "no_unit_column")]);
    let mut big = table(&[HEADER]);
    big.extend(std::iter::repeat_n(vec!["1".to_owned(), "甲".to_owned()], MAX_ROWS + 1));
    assert_eq!(errors(&big), vec![("file".to_owned(), "too_many_rows")]);
}

#[test]
fn a_branchs_details_without_its_name_are_refused() {
    let t = table(&[HEADER, &["1", "甲公司", "", "", "解放碑", "", "", "", "", ""]]);
    assert_eq!(errors(&t), vec![("E2".to_owned(), "branch_name_missing")]);
}
