//! The registry in and out of Excel: a real XLSX (written here with
//! rust_xlsxwriter, as Excel would save it: a phone typed as a number, a
//! 序号 column) checked, imported all or nothing, imported again with
//! nothing to change, and exported in the layout it came in; every kind of
//! bad cell listed by its reference with nothing written.

use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_json, expect_problem};
use crate::web::Web;

crate::on_both_backends!(
    a_registry_file_is_checked_then_imported_whole_and_a_second_time_changes_nothing,
    every_kind_of_bad_cell_is_listed_in_both_languages_and_nothing_is_written,
    the_export_reads_back_as_the_registry_and_imports_with_nothing_to_do,
    the_units_page_checks_imports_and_exports_the_file,
);

#[rustfmt::skip]
const HEADER: [&str; 16] = [
    "序号", "单位名称", "统一社会信用代码", "总部地址", "机构名称", "所在区县", "办公地点", "纬度", "经度", "分类",
    "姓名", "部门及职务", "手机", "办公电话", "邮箱", "接收渠道",
];

/// A workbook of these rows under `HEADER`; a cell that parses as a number
/// is written as one, as Excel keeps a typed phone number.
fn xlsx(rows: &[[&str; 16]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if !cell.starts_with('+') => ws.write_number(r, c, n).map(|_| ()).unwrap(),
                _ => ws.write_string(r, c, *cell).map(|_| ()).unwrap(),
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[rustfmt::skip]
const GOOD: [[&str; 16]; 5] = [
    ["1", "重庆某信息安全公司", "91500000MA5U0000XA", "北京市海淀区", "渝中分公司", "渝中区", "解放碑88号", "29.5577", "106.5772",
        "网络安全应急工作负责人", "张三", "安全服务部 总监", "13800138000", "023-6388 1234", "zhang@example.com", "短信:13800138000；Telegram:424242"],
    ["2", "重庆某信息安全公司", "", "", "渝中分公司", "", "", "", "", "支撑单位工作负责人", "张三", "", "13800138000", "", "", ""],
    ["3", "重庆某信息安全公司", "", "", "渝中分公司", "", "", "", "", "技术人员", "李四", "工程师", "13900139000", "", "", "企业微信应用:lisi"],
    ["4", "重庆某信息安全公司", "", "", "江北分公司", "江北区", "观音桥1号", "", "", "", "", "", "", "", "", ""],
    ["5", "某网络科技有限公司", "91500000MA5U0000YB", "", "", "", "", "", "", "支撑单位工作联系人", "王五", "", "13700137000", "", "", ""],
];

async fn import(app: &TestApp, file: Vec<u8>, name: &str, commit: bool) -> reqwest::Response {
    let form = Form::new().part("file", Part::bytes(file).file_name(name.to_owned()));
    let url = app.url(&format!("/api/v1/registry/import?commit={commit}"));
    app.client.post(url).bearer_auth(&app.token).multipart(form).send().await.unwrap()
}

async fn units(app: &TestApp) -> Vec<Value> {
    expect_json(app.get("/api/v1/units").await, StatusCode::OK).await.as_array().unwrap().clone()
}

fn counts(v: &Value) -> [u64; 3] {
    ["created", "updated", "unchanged"].map(|k| v[k].as_u64().unwrap())
}

async fn a_registry_file_is_checked_then_imported_whole_and_a_second_time_changes_nothing(app: TestApp) {
    let before = units(&app).await.len();
    let file = xlsx(&GOOD);
    let checked = expect_json(import(&app, file.clone(), "名录.xlsx", false).await, StatusCode::OK).await;
    assert_eq!(checked["committed"], false);
    assert_eq!(counts(&checked["counts"]["units"]), [2, 0, 0]);
    assert_eq!(counts(&checked["counts"]["branches"]), [2, 0, 0]);
    assert_eq!(counts(&checked["counts"]["people"]), [4, 0, 0], "张三 twice: one row per role");
    assert_eq!(checked["counts"]["channels_added"], 3);
    assert_eq!(checked["ignored_columns"], json!(["序号"]));
    assert_eq!(units(&app).await.len(), before, "a dry run writes nothing");

    let imported = expect_json(import(&app, file.clone(), "名录.xlsx", true).await, StatusCode::OK).await;
    assert_eq!(imported["committed"], true);
    assert_eq!(imported["counts"], checked["counts"]);
    let all = units(&app).await;
    let unit = all.iter().find(|u| u["name"] == "重庆某信息安全公司").expect("the unit is registered");
    assert_eq!(unit["credit_code"], "91500000MA5U0000XA");
    let id = unit["id"].as_i64().unwrap();
    let people = expect_json(app.get(&format!("/api/v1/units/{id}/people")).await, StatusCode::OK).await;
    let zhang = people.as_array().unwrap().iter().find(|p| p["role"] == "emergency_lead").unwrap().clone();
    assert_eq!(zhang["name"], "张三");
    assert_eq!(zhang["phone"], "13800138000", "a phone typed as a number reads as its digits");
    assert_eq!(zhang["title"], "安全服务部 总监");
    assert_eq!(zhang["office_phone"], "023-6388 1234");
    assert_eq!(zhang["email"], "zhang@example.com");
    let channels =
        expect_json(app.get(&format!("/api/v1/people/{}/channels", zhang["id"])).await, StatusCode::OK).await;
    let kinds: Vec<_> = channels.as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds, ["sms", "telegram"], "in the file's order, which is the fallback order");
    let branches = expect_json(app.get(&format!("/api/v1/units/{id}/branches")).await, StatusCode::OK).await;
    let yuzhong = branches.as_array().unwrap().iter().find(|b| b["name"] == "渝中分公司").unwrap().clone();
    assert_eq!((yuzhong["lat"].as_f64(), yuzhong["district"].as_str()), (Some(29.5577), Some("渝中区")));
    assert_eq!(zhang["branch_id"], yuzhong["id"]);

    let again = expect_json(import(&app, file, "名录.xlsx", true).await, StatusCode::OK).await;
    assert_eq!(again["committed"], false, "nothing to change: {again}");
    assert_eq!(counts(&again["counts"]["people"]), [0, 0, 4]);
    assert_eq!(again["counts"]["channels_added"], 0);

    // A later file with one changed cell changes that record only; blank cells keep what is stored.
    let mut changed = GOOD;
    changed[2][12] = "13900139009";
    let later = expect_json(import(&app, xlsx(&changed[2..3]), "名录.xlsx", true).await, StatusCode::OK).await;
    assert_eq!(counts(&later["counts"]["people"]), [0, 1, 0]);
    assert_eq!(counts(&later["counts"]["units"]), [0, 0, 1], "the unit's blank cells change nothing");
}

async fn every_kind_of_bad_cell_is_listed_in_both_languages_and_nothing_is_written(app: TestApp) {
    let existing = json!({"name": "已登记公司", "credit_code": "91500000MA5U0000ZC"});
    expect_json(app.post("/api/v1/units", &existing).await, StatusCode::CREATED).await;
    let before = units(&app).await;
    #[rustfmt::skip]
    let rows = [
        ["1", "甲公司", "123", "", "", "", "", "", "", "", "", "", "", "", "", ""],
        ["2", "", "", "", "", "", "", "", "", "技术人员", "某人", "", "", "", "", ""],
        ["3", "乙公司", "", "", "", "", "", "", "", "遴选工作联系人", "赵六", "", "", "", "", ""],
        ["4", "乙公司", "", "", "", "", "", "", "", "技术人员", "钱七", "", "call me", "ask the desk", "qian@", "飞鸽:1"],
        ["5", "乙公司", "", "", "渝北分公司", "", "两路", "北纬29度", "", "技术人员", "孙八", "", "", "", "", ""],
        ["6", "乙公司", "", "", "", "", "两路", "", "", "", "", "", "", "", "", ""],
        ["7", "乙公司", "", "", "", "", "", "", "", "技术人员", "", "", "", "", "", ""],
        ["8", "丙公司", "91500000MA5U0000DD", "", "", "", "", "", "", "技术人员", "周九", "", "", "", "", ""],
        ["9", "丙公司", "91500000MA5U0000EE", "", "", "", "", "", "", "技术人员", "周九", "", "", "", "", ""],
        ["10", "已登记公司", "91500000MA5U0000FF", "", "", "", "", "", "", "", "", "", "", "", "", ""],
        ["11", "丁公司", "", "", "新分公司", "", "", "", "", "", "", "", "", "", "", ""],
    ];
    let cells = |problem: &Value| -> Vec<(String, String)> {
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
            .collect()
    };
    let expected: Vec<(String, String)> = [
        ("C2", "invalid_credit_code"),
        ("B3", "required"),
        ("J4", "unknown_role"),
        ("M5", "invalid_phone"),
        ("N5", "invalid_office_phone"),
        ("O5", "invalid_email"),
        ("P5", "invalid_channel"),
        ("H6", "not_a_number"),
        ("G7", "branch_name_missing"),
        ("K8", "required"),
        ("C10", "conflicting_value"),
        ("K10", "duplicate_person"),
    ]
    .map(|(c, k)| (c.to_owned(), k.to_owned()))
    .to_vec();
    let file = xlsx(&rows);
    for commit in [false, true] {
        let problem =
            expect_problem(import(&app, file.clone(), "名录.xlsx", commit).await, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        assert_eq!(cells(&problem), expected, "{problem}");
        let first = &problem["errors"][0];
        assert!(first["message_zh"].as_str().unwrap().starts_with("第 2 行「统一社会信用代码」（C2）："), "{first}");
        assert!(first["message"].as_str().unwrap().starts_with("row 2, Credit code (C2): "), "{first}");
    }
    assert_eq!(units(&app).await, before, "nothing was written");

    // Once each row reads well, what clashes with the stored registry is listed the same way.
    let clash = xlsx(&[rows[9], rows[10]]);
    let problem = expect_problem(import(&app, clash, "名录.xlsx", true).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let expected = [("C2", "credit_code_differs"), ("G3", "unknown_branch")].map(|(c, k)| (c.to_owned(), k.to_owned()));
    assert_eq!(cells(&problem), expected.to_vec(), "{problem}");

    for (bytes, name, code) in [
        (b"<html><body>not a sheet</body></html>".to_vec(), "名录.xlsx", "file"),
        (b"\x00\x01\x02binary".to_vec(), "名录.csv", "file"),
        ("姓名,手机\n张三,13800138000\n".as_bytes().to_vec(), "名录.csv", "file"),
    ] {
        let problem = expect_problem(import(&app, bytes, name, false).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["errors"][0]["field"], code, "{problem}");
        assert!(!problem["errors"][0]["message_zh"].as_str().unwrap().is_empty());
    }
    assert_eq!(units(&app).await, before, "nothing was written");
}

fn rows_of(xlsx: Vec<u8>) -> Vec<Vec<String>> {
    let mut book = Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) => f.to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

async fn export(app: &TestApp, format: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/registry/export?format={format}")))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap()
}

async fn the_export_reads_back_as_the_registry_and_imports_with_nothing_to_do(app: TestApp) {
    expect_json(import(&app, xlsx(&GOOD), "名录.xlsx", true).await, StatusCode::OK).await;
    let r = export(&app, "xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let book = r.bytes().await.unwrap().to_vec();
    let rows = rows_of(book.clone());
    assert_eq!(rows[0][..3], ["单位名称", "统一社会信用代码", "总部地址"]);
    let find = |name: &str, role: &str| rows.iter().find(|r| r[9] == name && r[8] == role).cloned();
    let zhang = find("张三", "网络安全应急工作负责人").expect("张三's row");
    assert_eq!(zhang[0], "重庆某信息安全公司");
    assert_eq!(zhang[3], "渝中分公司");
    assert_eq!(zhang[6], "29.5577");
    assert_eq!(zhang[11], "13800138000", "a phone is text in the export, never a number");
    assert_eq!(zhang[14], "短信:13800138000；Telegram:424242");
    assert!(find("王五", "接口人").is_some(), "the form's 支撑单位工作联系人 is the liaison");
    assert!(rows.iter().any(|r| r[3] == "江北分公司" && r[9].is_empty()), "a branch without people has its own row");

    let again = expect_json(import(&app, book, "export.xlsx", true).await, StatusCode::OK).await;
    assert_eq!(again["committed"], false, "the export imports with nothing to do: {again}");
    let csv = export(&app, "csv").await.bytes().await.unwrap().to_vec();
    assert!(csv.starts_with("\u{feff}单位名称,".as_bytes()), "Excel's BOM, then the headers");
    let again = expect_json(import(&app, csv, "export.csv", true).await, StatusCode::OK).await;
    assert_eq!(again["committed"], false, "the CSV export too: {again}");
}

async fn the_units_page_checks_imports_and_exports_the_file(app: TestApp) {
    let web = Web::sign_in(&app, "duty").await;
    let (_, page) = web.get("/units").await;
    assert!(
        page.contains("id=\"registry-sheet\"") && page.contains("/units/export?format=xlsx"),
        "the form is offered"
    );
    let post = |mode: &'static str, file: Vec<u8>| {
        let form = Form::new()
            .text("csrf", web.csrf.clone())
            .text("mode", mode)
            .part("file", Part::bytes(file).file_name("名录.xlsx"));
        web.client.post(format!("{}/units/import", app.base)).multipart(form).send()
    };
    let bad = post("commit", xlsx(&[["1", "甲公司", "123", "", "", "", "", "", "", "", "", "", "", "", "", ""]]))
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::OK);
    let body = bad.text().await.unwrap();
    assert!(body.contains("id=\"import-problems\"") && body.contains("C2"), "the bad cell is listed");
    assert!(body.contains("统一社会信用代码应为 18 位数字或大写字母"), "in the reader's language");

    let checked = post("check", xlsx(&GOOD)).await.unwrap().text().await.unwrap();
    assert!(checked.contains("检查通过") && checked.contains("仅检查，未写入"), "a dry run says so");
    assert!(!units(&app).await.iter().any(|u| u["name"] == "某网络科技有限公司"));
    let imported = post("commit", xlsx(&GOOD)).await.unwrap().text().await.unwrap();
    assert!(imported.contains("已导入") && imported.contains("某网络科技有限公司"), "imported and listed");
    let unit = units(&app).await.into_iter().find(|u| u["name"] == "重庆某信息安全公司").unwrap();
    let (_, page) = web.get(&format!("/units/{}", unit["id"])).await;
    assert!(
        page.contains("安全服务部 总监 · 023-6388 1234 · zhang@example.com"),
        "a person's contact details are shown"
    );

    let (status, kind, bytes) = web.download("/units/export?format=xlsx").await;
    assert_eq!(
        (status, kind.as_str()),
        (StatusCode::OK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert!(rows_of(bytes).iter().any(|r| r[9] == "王五"));
}
