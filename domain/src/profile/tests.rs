use super::*;

fn contact(role: ContactRole, mobile: &str) -> ContactInput {
    ContactInput {
        role,
        name: "王敏".into(),
        position: "安全服务部 经理".into(),
        mobile: mobile.into(),
        office_phone: "023-6786-0000".into(),
        email: "wangmin@example.com".into(),
    }
}

fn branch(id: i64) -> BranchProfileInput {
    BranchProfileInput {
        branch_id: id,
        floor_area: "约300平米，租用".into(),
        staff_count: Some(25),
        security_lead: "李强".into(),
        security_lead_mobile: "13800000002".into(),
        commitment_signed_on: NaiveDate::from_ymd_opt(2026, 3, 1),
        commitment_signatory: "李强".into(),
    }
}

#[test]
fn the_form_is_read_whole_and_its_gaps_named() {
    let input = ProfileInput {
        legal_representative: "张伟".into(),
        contacts: vec![
            contact(ContactRole::SelectionContact, "13800000001"),
            contact(ContactRole::EmergencyLead, "13800000003"),
        ],
        branches: vec![branch(7)],
        ..ProfileInput::default()
    };
    let draft = ProfileDraft::parse(&input).unwrap();
    let roles: Vec<ContactRole> = draft.contacts.iter().map(|c| c.role).collect();
    assert_eq!(roles, [ContactRole::EmergencyLead, ContactRole::SelectionContact], "in the form's order");
    assert_eq!(draft.contacts[0].office_phone.as_deref(), Some("02367860000"));
    let profile = UnitProfile { unit_id: 1, content: draft, updated_at: None };
    assert_eq!(profile.gaps(&[7, 8]), ["contact:support_lead", "contact:support_contact", "commitment:8"]);
}

#[test]
fn bad_lines_are_named_in_place() {
    let mut half_signed = branch(7);
    half_signed.commitment_signatory = String::new();
    let input = ProfileInput {
        contacts: vec![
            contact(ContactRole::SupportLead, "not a phone"),
            ContactInput { email: "nobody@localhost".into(), ..contact(ContactRole::SupportLead, "13800000001") },
        ],
        branches: vec![half_signed, BranchProfileInput { staff_count: Some(MAX_STAFF + 1), ..branch(7) }],
        ..ProfileInput::default()
    };
    let Err(DomainError::Invalid(errors)) = ProfileDraft::parse(&input) else { panic!("refused") };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "contacts[0].mobile",
            "contacts[1].role",
            "contacts[1].email",
            "branches[0].commitment_signatory",
            "branches[1].branch_id",
            "branches[1].staff_count"
        ]
    );
}
