//! Evidence files on the signed-in pages: posted as multipart with the
//! session's CSRF token (refused without it, before the file is read),
//! listed on the notice page, the assignment card, the closure report's
//! page and the special report's, photos as thumbnails with their distance
//! from the site, downloaded through the session within the reader's scope;
//! a disguised file refused in the reader's language; a submitted report's
//! files closed.

use onsite::domain::access::UserRole;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::attachments::{PDF, photo_at};
use crate::helpers::{TestApp, expect_json};
use crate::web::Web;

crate::on_both_backends!(
    files_are_added_and_shown_on_the_pages_within_scope,
    a_report_takes_files_until_it_is_submitted,
);

/// Posts `bytes` as `name` to a page's upload route with `fields` first
/// (the CSRF token among them, as the page's form sends it).
async fn post_file(
    web: &Web,
    path: &str,
    fields: &[(&str, &str)],
    name: &str,
    bytes: &[u8],
) -> (StatusCode, String, String) {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let form = form.part("file", Part::bytes(bytes.to_vec()).file_name(name.to_owned()));
    let r = web.client.post(format!("{}{path}", web.base)).multipart(form).send().await.unwrap();
    let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (r.status(), location, r.text().await.unwrap())
}

async fn count(app: &TestApp, path: &str) -> usize {
    app.get_ok(path).await.as_array().unwrap().len()
}

async fn files_are_added_and_shown_on_the_pages_within_scope(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let engineer = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    app.user_token("shancheng", UserRole::Unit, Some(b.id)).await;
    let notice = app.issue(&[a.id], true).await;
    let (n, asg) = (notice["id"].as_i64().unwrap(), notice["assignments"][0]["id"].as_i64().unwrap());
    let bureau = Web::sign_in(&app, "duty").await;
    let notice_files = format!("/api/v1/notices/{n}/attachments");

    // Without the session's token, or with another, nothing is kept.
    let upload = format!("/notices/{n}/files");
    let (status, _, _) = post_file(&bureau, &upload, &[], "通报.pdf", PDF).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = post_file(&bureau, &upload, &[("csrf", "forged")], "通报.pdf", PDF).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(count(&app, &notice_files).await, 0);

    let (status, location, _) = post_file(&bureau, &upload, &[("csrf", &bureau.csrf)], "通报.pdf", PDF).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, format!("/notices/{n}?done=1#files").as_str()));
    let pdf = app.get_ok(&notice_files).await[0].clone();
    let (_, page) = bureau.get(&format!("/notices/{n}")).await;
    assert!(page.contains("通报.pdf") && page.contains(&format!("href=\"/files/{}\"", pdf["id"])), "{page}");
    assert!(page.contains(&format!("action=\"/notices/{n}/files\"")), "the bureau may add to its notice");

    // The unit's engineer proves arrival from its card: a photo far from the site, flagged.
    let unit = Web::sign_in(&app, "andun").await;
    let (_, card) = unit.get(&format!("/notices/{n}")).await;
    assert!(!card.contains(&format!("action=\"/notices/{n}/files\"")), "the unit adds nothing to the bureau's notice");
    assert!(card.contains(&format!("action=\"/assignments/{asg}/files\"")) && card.contains("value=\"on_site\""));
    let far = photo_at((29, 37, 0), (106, 30, 0));
    let on_site = [("csrf", unit.csrf.as_str()), ("on", "on_site")];
    let (status, location, _) =
        post_file(&unit, &format!("/assignments/{asg}/files"), &on_site, "到场.jpg", &far).await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, format!("/assignments/{asg}")));
    let photo = app.get_ok(&format!("/api/v1/assignments/{asg}/milestones/on_site/attachments")).await[0].clone();
    assert_eq!(photo["uploaded_by"], "andun");
    let (_, card) = unit.get(&format!("/notices/{n}")).await;
    assert!(card.contains(&format!("src=\"/files/{}/thumbnail\"", photo["id"])), "{card}");
    assert!(card.contains("超出到场范围"), "the distance is flagged: {card}");
    let timeline = app.get_ok(&format!("/api/v1/assignments/{asg}/timeline")).await;
    let added =
        timeline.as_array().unwrap().iter().find(|e| e["kind"] == "file_added").expect("on the timeline").clone();
    assert_eq!((added["note"].as_str(), added["actor"].as_str()), (Some("到场.jpg"), Some("andun")));
    assert_eq!(
        (added["data"]["milestone"].as_str(), added["data"]["far_from_site"].as_bool()),
        (Some("on_site"), Some(true))
    );
    assert_eq!(added["data"]["attachment_id"], photo["id"]);
    assert!(card.contains("上传附件") && card.contains("到达现场 · 到场.jpg（距现场"), "the card's timeline says it");
    assert!(card.contains("<figcaption>到达现场 · "), "the photo says which milestone it proves: {card}");

    let (status, kind, thumb) = unit.download(&format!("/files/{}/thumbnail", photo["id"])).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/jpeg"));
    assert_eq!(image::load_from_memory(&thumb).unwrap().width(), 320);
    let r = bureau.client.get(format!("{}/files/{}", bureau.base, photo["id"])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(onsite::evidence::photo::place(&r.bytes().await.unwrap()).is_none(), "the position stays on the server");
    let audited = app.state.store.audit_entries(100).await.unwrap();
    assert!(audited.iter().any(|e| e.action == "attachment.downloaded" && e.actor == "duty"), "audited");

    // Another unit finds neither the file nor its thumbnail.
    let other = Web::sign_in(&app, "shancheng").await;
    assert_eq!(other.get(&format!("/files/{}", photo["id"])).await.0, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/files/{}/thumbnail", photo["id"])).await.0, StatusCode::NOT_FOUND);
    let their = [("csrf", other.csrf.as_str()), ("on", "on_site")];
    let (status, _, _) = post_file(&other, &format!("/assignments/{asg}/files"), &their, "x.jpg", &far).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A page dressed as a photo is refused in the reader's language; nothing is kept.
    let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>";
    let (status, _, body) = post_file(&unit, &format!("/assignments/{asg}/files"), &on_site, "x.png", html).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("不接受") && body.contains("id=\"error-message\""), "{body}");
    assert!(body.contains(&format!(r#"id="error-back" href="/assignments/{asg}""#)), "a way back to the card: {body}");
    assert_eq!(count(&app, &format!("/api/v1/assignments/{asg}/milestones/on_site/attachments")).await, 1);

    // The closure report's page shows the on-site photo and takes the report's own files.
    let closure = format!("/assignments/{asg}/closure-report");
    let (_, page) = unit.get(&closure).await;
    assert!(page.contains(&format!("src=\"/files/{}/thumbnail\"", photo["id"])), "{page}");
    let log = b"2026-11-25 03:01:12 nginx: GET /admin.php 200\n";
    let token = [("csrf", unit.csrf.as_str())];
    let (status, location, _) = post_file(&unit, &format!("{closure}/files"), &token, "access.log", log).await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, format!("{closure}?done=1#files")));
    let (_, page) = bureau.get(&closure).await;
    assert!(page.contains("access.log") && page.contains("处置报告"), "{page}");

    // The report's Word document embeds the photo (its thumbnail, as PNG) and lists every file.
    let put = app.client.put(app.url(&format!("/api/v1{closure}"))).bearer_auth(&engineer);
    expect_json(put.json(&crate::closure::full_report()).send().await.unwrap(), StatusCode::OK).await;
    let (status, kind, bytes) = bureau.download(&format!("{closure}.docx")).await;
    assert_eq!((status, kind.contains("wordprocessingml")), (StatusCode::OK, true));
    let embedded = embedded_pngs(&bytes);
    assert_eq!(embedded.len(), 1, "one photo embedded");
    assert_eq!((embedded[0].width(), embedded[0].height()), (320, 240));
    let doc = docx_rs::read_docx(&bytes).expect("a readable DOCX").json();
    for expected in ["八、现场照片及附件", "到达现场 · 到场.jpg", "超出到场范围", "处置报告 · access.log", "文本或日志"]
    {
        assert!(doc.contains(expected), "the document says {expected}");
    }
}

/// The PNG pictures a Word document embeds.
fn embedded_pngs(docx: &[u8]) -> Vec<image::DynamicImage> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let media: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().into_owned())
        .filter(|n| n.starts_with("word/media/") && n.ends_with(".png"))
        .collect();
    media
        .iter()
        .map(|name| {
            let mut png = Vec::new();
            std::io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut png).unwrap();
            image::load_from_memory_with_format(&png, image::ImageFormat::Png).expect("a PNG picture")
        })
        .collect()
}

async fn a_report_takes_files_until_it_is_submitted(app: TestApp) {
    let a = app.unit_with_people("安盾").await;
    let token = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let report = crate::duties::file_special_report(&app, &token, None).await;
    let unit = Web::sign_in(&app, "andun").await;
    let page = format!("/special-reports/{report}");
    let (_, html) = unit.get(&page).await;
    assert!(html.contains(&format!("action=\"{page}/files\"")), "a draft takes files");
    let (status, location, _) =
        post_file(&unit, &format!("{page}/files"), &[("csrf", &unit.csrf)], "截图.pdf", PDF).await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, format!("{page}#files")));
    assert!(unit.get(&page).await.1.contains("截图.pdf"));
    let (status, ..) = post_file(
        &unit,
        &format!("{page}/files"),
        &[("csrf", &unit.csrf)],
        "告警截图.png",
        &crate::attachments::photo_png(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, docx) = unit.download(&format!("{page}/report.docx")).await;
    assert_eq!(status, StatusCode::OK);
    let embedded = embedded_pngs(&docx);
    assert_eq!(embedded.len(), 1, "the screenshot embedded, the PDF only listed");
    assert!(embedded[0].width() <= 320, "the screenshot's thumbnail");
    let doc = docx_rs::read_docx(&docx).expect("a readable DOCX").json();
    for expected in ["七、截图及附件", "告警截图.png", "截图.pdf", "PDF 文档"] {
        assert!(doc.contains(expected), "the document says {expected}");
    }

    let submit = app.post_as(&token, &format!("/api/v1/special-reports/{report}/submit"), &json!({})).await;
    expect_json(submit, StatusCode::OK).await;
    let (_, html) = unit.get(&page).await;
    assert!(!html.contains(&format!("action=\"{page}/files\"")), "a submitted report offers no upload");
    let (status, _, body) = post_file(&unit, &format!("{page}/files"), &[("csrf", &unit.csrf)], "late.pdf", PDF).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("报告已提交"), "{body}");
    assert!(body.contains(&format!(r#"id="error-back" href="{page}#files""#)), "{body}");
    let api = format!("/api/v1/special-reports/{report}/attachments");
    let refused = crate::attachments::upload(&app, &token, &api, "late.pdf", PDF).await;
    let problem = crate::helpers::expect_problem(refused, StatusCode::CONFLICT).await;
    assert_eq!(problem["code"], "report_not_editable", "{problem}");
    assert_eq!(count(&app, &api).await, 2);
}
