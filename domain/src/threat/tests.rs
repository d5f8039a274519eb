use super::*;

fn finding() -> ThreatFindingInput {
    ThreatFindingInput {
        kind: ThreatKind::Botnet,
        name: "Mirai 变种".into(),
        found_at: DateTime::parse_from_rfc3339("2026-11-03T09:00:00+08:00").unwrap(),
        description: String::new(),
        enterprise_id: None,
        other_target: String::new(),
        five_tuples: vec![FiveTupleInput {
            src_ip: "10.0.0.5".into(),
            src_port: Some(51_234),
            dst_ip: "203.0.113.7".into(),
            dst_port: Some(23),
            protocol: "tcp".into(),
        }],
        propagation_path: "弱口令爆破 Telnet".into(),
        c2_addresses: vec!["cnc.example[.]com".into(), "CNC.example.com".into()],
        hashes: vec!["44D88612FEA8A8F36DE82E1278ABB02F".into()],
        disposal_advice: "封堵 C&C 域名，排查弱口令".into(),
    }
}

#[test]
fn a_finding_names_each_bad_field_in_its_place() {
    let bad = ThreatFindingInput {
        name: " ".into(),
        disposal_advice: String::new(),
        c2_addresses: vec!["not an address".into()],
        hashes: vec!["abc".into()],
        five_tuples: vec![FiveTupleInput { protocol: "gre".into(), ..finding().five_tuples[0].clone() }],
        ..finding()
    };
    let fields: Vec<String> =
        ThreatFindingDraft::parse("findings[1].", &bad).unwrap_err().into_iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            "findings[1].name",
            "findings[1].disposal_advice",
            "findings[1].five_tuples[0].protocol",
            "findings[1].c2_addresses[0]",
            "findings[1].hashes[0]"
        ]
    );
}

#[test]
fn a_finding_needs_at_least_one_indicator() {
    let bare = ThreatFindingInput { five_tuples: vec![], c2_addresses: vec![], hashes: vec![], ..finding() };
    let errors = ThreatFindingDraft::parse("", &bare).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].field.as_str(), errors[0].code), ("c2_addresses", "no_indicator"));
    assert_eq!(errors[0].message_zh, "请至少填写一条五元组、C&C 地址或样本哈希");
}

#[test]
fn the_same_indicator_spelt_twice_counts_once() {
    let draft = ThreatFindingDraft::parse("", &finding()).unwrap();
    let values: Vec<String> = draft.indicators().into_iter().map(|i| i.value).collect();
    assert_eq!(values, ["44d88612fea8a8f36de82e1278abb02f", "cnc.example.com"]);
}

#[test]
fn a_five_tuple_is_a_network_traffic_pattern() {
    let draft = ThreatFindingDraft::parse("", &finding()).unwrap();
    assert_eq!(
        five_tuple_pattern(&draft.five_tuples[0]),
        "[network-traffic:src_ref.type = 'ipv4-addr' AND network-traffic:src_ref.value = '10.0.0.5' AND \
         network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.7' AND \
         network-traffic:src_port = 51234 AND network-traffic:dst_port = 23 AND network-traffic:protocols[*] = 'tcp']"
    );
}

#[test]
fn a_report_is_bounded_and_submitted_with_a_finding() {
    let input =
        ThreatReportInput { title: "2026年11月威胁信息".into(), findings: vec![finding(); MAX_FINDINGS + 1] };
    let Err(DomainError::Invalid(errors)) = ThreatReportDraft::parse(&input) else { panic!("refused") };
    assert_eq!(errors[0].field, "findings");
    assert!(check_complete(0).is_err() && check_complete(1).is_ok());
    assert!(check_room(MAX_FINDINGS as u64 - 1).is_ok() && check_room(MAX_FINDINGS as u64).is_err());
}
