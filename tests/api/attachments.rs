//! Evidence files over the API on the local store: a notice's 通报 and an
//! on-site photo kept, deduplicated, listed and downloaded within scope and
//! audited; the photo's position judged and its metadata gone from every
//! copy; what is refused (a program, an unknown type, too large) named in
//! both languages and stored nowhere.

use std::io::Cursor;
use std::path::Path;

use sha2::Digest;

use onsite::domain::access::UserRole;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::helpers::{TestApp, expect_json, expect_problem};

crate::on_both_backends!(
    files_are_kept_once_read_within_scope_and_audited,
    objects_no_record_names_are_swept_once_old,
    a_photo_is_judged_by_its_position_and_shown_without_it,
    reports_carry_their_files_and_samples_travel_encrypted,
    bad_files_are_refused_in_both_languages_and_stored_nowhere,
    large_files_are_received_on_disk_and_kept_whole,
);

/// A small PDF: what the bureau's 通报 arrives as.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Posts `bytes` as the `file` field named `name` to `path` as `token`.
pub async fn upload(app: &TestApp, token: &str, path: &str, name: &str, bytes: &[u8]) -> reqwest::Response {
    let form = Form::new().part("file", Part::bytes(bytes.to_vec()).file_name(name.to_owned()));
    app.client.post(app.url(path)).bearer_auth(token).multipart(form).send().await.unwrap()
}

/// The objects in the local store, by walking its directory.
fn objects(root: &Path) -> usize {
    fn walk(p: &Path) -> usize {
        std::fs::read_dir(p)
            .map_or(0, |d| d.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
    }
    walk(root)
}

fn store_dir(app: &TestApp) -> std::path::PathBuf {
    app.state.config.evidence.path.clone()
}

async fn files_are_kept_once_read_within_scope_and_audited(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let unit_b = app.user_token("shancheng", UserRole::Unit, Some(b.id)).await;
    let notice = app.issue(&[a.id], true).await;
    let path = format!("/api/v1/notices/{}/attachments", notice["id"]);

    let kept =
        expect_json(upload(&app, &app.token, &path, "渝通〔2026〕12号 通报.pdf", PDF).await, StatusCode::CREATED).await;
    assert_eq!(
        (kept["name"].as_str(), kept["kind"].as_str(), kept["content_type"].as_str(), kept["size"].as_u64()),
        (Some("渝通〔2026〕12号 通报.pdf"), Some("pdf"), Some("application/pdf"), Some(PDF.len() as u64))
    );
    assert_eq!(kept["uploaded_by"], "duty");
    // The same content again, under another name: one object, two files.
    let again = expect_json(upload(&app, &app.token, &path, "copy.bin", PDF).await, StatusCode::CREATED).await;
    assert_eq!((again["sha256"].clone(), again["name"].as_str()), (kept["sha256"].clone(), Some("copy.bin.pdf")));
    assert_eq!(objects(&store_dir(&app)), 1, "deduplicated by content");
    assert_eq!(app.get_ok(&path).await.as_array().unwrap().len(), 2);

    // The unit the notice went to reads and downloads it; another unit finds nothing.
    assert_eq!(expect_json(app.get_as(&unit_a, &path).await, StatusCode::OK).await.as_array().unwrap().len(), 2);
    let file = format!("/api/v1/attachments/{}", kept["id"]);
    let r = app.get_as(&unit_a, &file).await;
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers().clone();
    assert_eq!(
        (h["content-type"].to_str().unwrap(), h["x-content-type-options"].to_str().unwrap()),
        ("application/pdf", "nosniff")
    );
    let disposition = h["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''%E6%B8%9D"),
        "{disposition}"
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    expect_problem(app.get_as(&unit_b, &path).await, StatusCode::NOT_FOUND).await;
    expect_problem(app.get_as(&unit_b, &file).await, StatusCode::NOT_FOUND).await;
    // Only the bureau attaches to a notice.
    expect_problem(upload(&app, &unit_a, &path, "x.pdf", PDF).await, StatusCode::FORBIDDEN).await;

    let audited = app.state.store.audit_entries(100).await.unwrap();
    let subject = format!("notice:{}", notice["id"]);
    assert_eq!(audited.iter().filter(|e| e.action == "attachment.added" && e.subject == subject).count(), 2);
    assert!(
        audited.iter().any(|e| e.action == "attachment.downloaded" && e.actor == "andun"),
        "the download is audited"
    );
}

async fn objects_no_record_names_are_swept_once_old(app: TestApp) {
    let a = app.unit_with_people("安盾").await;
    let notice = app.issue(&[a.id], true).await;
    let path = format!("/api/v1/notices/{}/attachments", notice["id"]);
    expect_json(upload(&app, &app.token, &path, "通报.pdf", PDF).await, StatusCode::CREATED).await;
    // What an upload leaves when its change never commits: an object no row names.
    let objects = onsite::evidence::Objects::open(&app.state.config.evidence).unwrap();
    let orphan = objects.put(bytes::Bytes::from_static(b"an upload that never committed\n")).await.unwrap();
    // And what a write cut off by a crash leaves on the local store: its staging file.
    let staged = store_dir(&app).join(format!("sha256/{}/{orphan}#7", &orphan[..2]));
    std::fs::write(&staged, b"half an upl").unwrap();
    assert_eq!(self::objects(&store_dir(&app)), 3);

    // Fresh, they stay (an upload may be about to name one); a day old, they go.
    let now = chrono::Utc::now();
    assert_eq!(app.state.app.sweep_evidence(now).await.unwrap(), 0);
    assert_eq!(app.state.app.sweep_evidence(now + chrono::Duration::hours(25)).await.unwrap(), 2);
    assert!(!staged.exists(), "the staging file is gone");
    assert_eq!(self::objects(&store_dir(&app)), 1);
    assert!(objects.get(&orphan).await.is_err(), "the orphan is gone");
    let kept = app.get_ok(&path).await[0]["id"].clone();
    let copy = app.get(&format!("/api/v1/attachments/{kept}")).await.bytes().await.unwrap();
    assert_eq!(copy.as_ref(), PDF, "the named file stays");
}

/// A JPEG with an EXIF position (degrees, minutes, seconds north and east).
pub fn photo_at(lat: (u32, u32, u32), lon: (u32, u32, u32)) -> Vec<u8> {
    use exif::{Field, In, Tag, Value as V};
    let img = image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut jpeg = Cursor::new(Vec::new());
    img.write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    let dms = |(d, m, s): (u32, u32, u32)| {
        V::Rational(vec![exif::Rational::from((d, 1)), exif::Rational::from((m, 1)), exif::Rational::from((s, 1))])
    };
    let fields = [
        Field { tag: Tag::GPSLatitudeRef, ifd_num: In::PRIMARY, value: V::Ascii(vec![b"N".to_vec()]) },
        Field { tag: Tag::GPSLatitude, ifd_num: In::PRIMARY, value: dms(lat) },
        Field { tag: Tag::GPSLongitudeRef, ifd_num: In::PRIMARY, value: V::Ascii(vec![b"E".to_vec()]) },
        Field { tag: Tag::GPSLongitude, ifd_num: In::PRIMARY, value: dms(lon) },
        Field { tag: Tag::Make, ifd_num: In::PRIMARY, value: V::Ascii(vec![b"HUAWEI".to_vec()]) },
    ];
    let mut writer = exif::experimental::Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut block = Cursor::new(Vec::new());
    writer.write(&mut block, false).unwrap();
    let mut parts = img_parts::jpeg::Jpeg::from_bytes(jpeg.into_inner().into()).unwrap();
    img_parts::ImageEXIF::set_exif(&mut parts, Some(block.into_inner().into()));
    parts.encoder().bytes().to_vec()
}

async fn a_photo_is_judged_by_its_position_and_shown_without_it(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let unit_b = app.user_token("shancheng", UserRole::Unit, Some(b.id)).await;
    let manager = app.user_token("boss", UserRole::Manager, None).await;
    let assignment = app.issue(&[a.id], true).await["assignments"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/assignments/{assignment}/milestones/on_site/attachments");

    // The site is at 29.5577 N, 106.5772 E: 29°33'28" N, 106°34'38" E is beside it.
    let near = photo_at((29, 33, 28), (106, 34, 38));
    assert!(onsite::evidence::photo::place(&near.clone().into()).is_some(), "the test photo carries a position");
    let kept = expect_json(upload(&app, &unit_a, &path, "到场.jpg", &near).await, StatusCode::CREATED).await;
    assert_eq!((kept["kind"].as_str(), kept["thumbnail"].as_bool()), (Some("image"), Some(true)));
    assert_eq!(kept["place"]["far_from_site"], false);
    assert!(kept["place"]["distance_m"].as_f64().unwrap() < 100.0, "{kept}");
    // Taken in Yubei, some 9 km away: flagged, not refused.
    let far = expect_json(
        upload(&app, &unit_a, &path, "far.jpg", &photo_at((29, 37, 0), (106, 30, 0))).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(far["place"]["far_from_site"], true);

    // What anyone downloads has no position, no camera, and still shows the picture.
    let copy = app.get_as(&manager, &format!("/api/v1/attachments/{}", kept["id"])).await.bytes().await.unwrap();
    assert!(onsite::evidence::photo::place(&copy).is_none(), "the position is gone");
    assert!(!copy.windows(6).any(|w| w == b"HUAWEI"), "the camera is gone");
    let decoded = image::load_from_memory(&copy).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (640, 480));
    let thumb = app.get_as(&manager, &format!("/api/v1/attachments/{}/thumbnail", kept["id"])).await;
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    let thumb = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 240));

    // Another unit neither sees nor adds to it; a PDF has no thumbnail.
    expect_problem(app.get_as(&unit_b, &path).await, StatusCode::NOT_FOUND).await;
    expect_problem(upload(&app, &unit_b, &path, "x.jpg", &near).await, StatusCode::NOT_FOUND).await;
    let pdf = expect_json(upload(&app, &unit_a, &path, "log.pdf", PDF).await, StatusCode::CREATED).await;
    expect_problem(
        app.get_as(&unit_a, &format!("/api/v1/attachments/{}/thumbnail", pdf["id"])).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let listed = expect_json(app.get_as(&manager, &path).await, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().len(), 3);
    let plan = format!("/api/v1/assignments/{assignment}/milestones/plan_activated/attachments");
    assert_eq!(app.get_ok(&plan).await.as_array().unwrap().len(), 0, "each milestone has its own files");
}

/// A zip of `entries` (stored), every entry marked encrypted when `encrypted`
/// (ZipCrypto's flag: the server never decrypts, so only the flag matters).
fn zip_of(entries: &[(&str, &[u8])], encrypted: bool) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(body).unwrap();
    }
    let mut bytes = w.finish().unwrap().into_inner();
    if encrypted {
        for (signature, flag_at) in [([0x50, 0x4b, 0x03, 0x04], 6), ([0x50, 0x4b, 0x01, 0x02], 8)] {
            let starts: Vec<usize> =
                bytes.windows(4).enumerate().filter(|(_, w)| *w == signature).map(|(i, _)| i).collect();
            for s in starts {
                bytes[s + flag_at] |= 1;
            }
        }
    }
    bytes
}

async fn reports_carry_their_files_and_samples_travel_encrypted(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let unit_b = app.user_token("shancheng", UserRole::Unit, Some(b.id)).await;
    let assignment = app.issue(&[a.id], true).await["assignments"][0]["id"].as_i64().unwrap();
    let closure = format!("/api/v1/assignments/{assignment}/closure-report/attachments");
    let log = "2026-11-25 03:01:12 nginx: GET /admin.php 200\n";
    let kept =
        expect_json(upload(&app, &unit_a, &closure, "access.log", log.as_bytes()).await, StatusCode::CREATED).await;
    assert_eq!((kept["kind"].as_str(), kept["name"].as_str()), (Some("text"), Some("access.log")));
    expect_problem(upload(&app, &unit_b, &closure, "x.log", log.as_bytes()).await, StatusCode::NOT_FOUND).await;

    let special = crate::duties::file_special_report(&app, &unit_a, None).await;
    let files = format!("/api/v1/special-reports/{special}/attachments");
    let shot = expect_json(upload(&app, &unit_a, &files, "截图.png", &photo_png()).await, StatusCode::CREATED).await;
    assert_eq!(shot["kind"], "image");
    assert_eq!(expect_json(app.get_as(&unit_a, &files).await, StatusCode::OK).await.as_array().unwrap().len(), 1);
    expect_problem(app.get_as(&unit_b, &files).await, StatusCode::NOT_FOUND).await;

    let (threat, _) = crate::threats::file_threat_report(&app, &unit_a, None).await;
    let files = format!("/api/v1/threat-reports/{threat}/attachments");
    let sample = zip_of(&[("mirai.arm7", b"\x7fELF\x01\x01\x01\0 not really")], true);
    let kept = expect_json(upload(&app, &unit_a, &files, "mirai.zip", &sample).await, StatusCode::CREATED).await;
    assert_eq!(kept["kind"], "sample", "an encrypted zip is a sample archive");
    let logs = zip_of(&[("a.log", b"x\n"), ("b.log", b"y\n")], false);
    let kept = expect_json(upload(&app, &unit_a, &files, "logs.zip", &logs).await, StatusCode::CREATED).await;
    assert_eq!(kept["kind"], "archive");
    let copy = app.get_as(&unit_a, &format!("/api/v1/attachments/{}", kept["id"])).await.bytes().await.unwrap();
    assert_eq!(copy.as_ref(), logs.as_slice(), "kept as sent: never unpacked");
}

/// `len` bytes after `header` in a pattern that never spells a zip
/// signature (each byte 7 more than the last, mod 251).
pub fn filler(header: &[u8], len: usize) -> Vec<u8> {
    let mut bytes = header.to_vec();
    bytes.extend((0..len.saturating_sub(header.len())).map(|i| (i * 7 % 251) as u8));
    bytes
}

/// A classic packet capture of `len` bytes (its global header, then filler).
pub fn capture(len: usize) -> Vec<u8> {
    filler(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0], len)
}

async fn large_files_are_received_on_disk_and_kept_whole(app: TestApp) {
    let a = app.unit_with_people("安盾").await;
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let assignment = app.issue(&[a.id], true).await["assignments"][0]["id"].as_i64().unwrap();
    let closure = format!("/api/v1/assignments/{assignment}/closure-report/attachments");

    // Past the memory a file is held in (1 MiB); under the tests' limit (4 MiB).
    let pcap = capture(3 * 1024 * 1024 + 3);
    let kept = expect_json(upload(&app, &unit_a, &closure, "边界.pcap", &pcap).await, StatusCode::CREATED).await;
    assert_eq!((kept["kind"].as_str(), kept["size"].as_u64()), (Some("pcap"), Some(pcap.len() as u64)));
    assert_eq!(kept["sha256"], hex::encode(sha2::Sha256::digest(&pcap)), "hashed as it arrived");
    let r = app.get_as(&unit_a, &format!("/api/v1/attachments/{}", kept["id"])).await;
    assert_eq!(r.content_length(), Some(pcap.len() as u64));
    assert!(r.bytes().await.unwrap().as_ref() == pcap.as_slice(), "downloaded whole");

    // A zip too large for memory is still told by its directory.
    let big_sample = zip_of(&[("dropper.exe", &filler(b"MZ", 3 * 1024 * 1024))], true);
    let sample = expect_json(upload(&app, &unit_a, &closure, "样本.zip", &big_sample).await, StatusCode::CREATED).await;
    assert_eq!(sample["kind"], "sample");
    let big_zip = zip_of(&[("access.log", &filler(b"GET / HTTP/1.1", 3 * 1024 * 1024))], false);
    let zip = expect_json(upload(&app, &unit_a, &closure, "logs.zip", &big_zip).await, StatusCode::CREATED).await;
    assert_eq!(zip["kind"], "archive");

    // A large program is refused once received, and nothing is kept of it.
    let before = objects(&store_dir(&app));
    let program = filler(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0", 3 * 1024 * 1024);
    let p =
        expect_problem(upload(&app, &unit_a, &closure, "报告.pdf", &program).await, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    assert_eq!(p["errors"][0]["code"], "sample_not_encrypted");
    assert_eq!(objects(&store_dir(&app)), before);
    assert_eq!(objects(&app.state.config.evidence.incoming()), 0, "nothing received is left on disk");
    let listed = expect_json(app.get_as(&unit_a, &closure).await, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().len(), 3);
}

/// A PNG screenshot.
pub fn photo_png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(200, 100, |x, _| image::Rgb([x as u8, 30, 200]));
    let mut png = Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    png.into_inner()
}

async fn bad_files_are_refused_in_both_languages_and_stored_nowhere(app: TestApp) {
    let a = app.unit_with_people("安盾").await;
    let notice = app.issue(&[a.id], true).await;
    let path = format!("/api/v1/notices/{}/attachments", notice["id"]);
    let refused = |v: &Value| {
        (v["errors"][0]["code"].as_str().map(str::to_owned), v["errors"][0]["message_zh"].as_str().map(str::to_owned))
    };

    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.resize(4096, 0);
    let p = expect_problem(upload(&app, &app.token, &path, "report.pdf", &elf).await, StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    let (code, zh) = refused(&p);
    assert_eq!(code.as_deref(), Some("sample_not_encrypted"));
    assert!(zh.unwrap().contains("infected"));
    let p = expect_problem(
        upload(&app, &app.token, &path, "a.rar", b"Rar!\x1a\x07\x01\x00rest").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused(&p).0.as_deref(), Some("file_type_not_allowed"));
    let p =
        expect_problem(upload(&app, &app.token, &path, "empty.txt", b"").await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused(&p).1.as_deref(), Some("文件为空"));
    let form = Form::new().text("note", "no file");
    let r = app.client.post(app.url(&path)).bearer_auth(&app.token).multipart(form).send().await.unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused(&p).1.as_deref(), Some("请选择要上传的文件"));
    let r = app
        .client
        .post(app.url(&path))
        .bearer_auth(&app.token)
        .json(&serde_json::json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::BAD_REQUEST).await;

    // Over the document limit (a 3 MiB log where the test allows 2), and over every class's.
    let log = "2026-11-25 03:01:12 sshd[811]: Failed password for root from 203.0.113.7\n".repeat(45_000);
    let p = expect_problem(
        upload(&app, &app.token, &path, "auth.log", log.as_bytes()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused(&p).1.as_deref(), Some("文本或日志不能超过 2 MiB"));
    let huge = vec![b'a'; 5 * 1024 * 1024];
    let p = expect_problem(upload(&app, &app.token, &path, "huge.log", &huge).await, StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    assert_eq!(refused(&p).1.as_deref(), Some("文件不能超过 4 MiB"));

    assert_eq!(app.get_ok(&path).await.as_array().unwrap().len(), 0, "nothing recorded");
    assert_eq!(objects(&store_dir(&app)), 0, "nothing stored");
}

/// The trials that need the S3-compatible server (ignored outside CI without it).
pub fn s3_trials() -> Vec<libtest_mimic::Trial> {
    let needs = if crate::s3::binary().exists() { crate::trials::Needs::Nothing } else { crate::trials::Needs::S3 };
    vec![crate::trials::test("attachments::files_are_kept_on_an_s3_compatible_store", needs, || {
        Box::pin(files_are_kept_on_an_s3_compatible_store())
    })]
}

fn on_s3(config: &mut onsite::config::Config, s3: &crate::s3::S3Server, secret: &str) {
    config.evidence.store = onsite::config::EvidenceStore::S3;
    config.evidence.s3_endpoint = Some(s3.endpoint.clone());
    config.evidence.s3_bucket = Some(crate::s3::BUCKET.into());
    config.evidence.s3_access_key = Some(crate::s3::ACCESS_KEY.into());
    config.evidence.s3_secret_key = Some(secrecy::SecretString::from(secret.to_owned()));
    config.evidence.s3_allow_http = true;
}

async fn files_are_kept_on_an_s3_compatible_store() {
    let s3 = crate::s3::S3Server::start();
    let configure = |c: &mut onsite::config::Config| {
        on_s3(c, &s3, crate::s3::SECRET_KEY);
        c.evidence.max_bulk_mib = 24;
    };
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, configure).await.expect("an app");
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let unit_b = app.user_token("shancheng", UserRole::Unit, Some(b.id)).await;
    let notice = app.issue(&[a.id], true).await;
    let path = format!("/api/v1/notices/{}/attachments", notice["id"]);

    let kept = expect_json(upload(&app, &app.token, &path, "通报.pdf", PDF).await, StatusCode::CREATED).await;
    let again = expect_json(upload(&app, &app.token, &path, "通报（副本）.pdf", PDF).await, StatusCode::CREATED).await;
    assert_eq!(kept["sha256"], again["sha256"]);
    let photo = photo_at((29, 33, 28), (106, 34, 38));
    let shot = expect_json(upload(&app, &app.token, &path, "现场.jpg", &photo).await, StatusCode::CREATED).await;
    assert_eq!(s3.objects(), 3, "the PDF once, the photo and its thumbnail");
    // Past one part: sent to the bucket as a multipart upload.
    let pcap = capture(20 * 1024 * 1024 + 5);
    let large = expect_json(upload(&app, &app.token, &path, "边界.pcap", &pcap).await, StatusCode::CREATED).await;
    let copy = app.get(&format!("/api/v1/attachments/{}", large["id"])).await.bytes().await.unwrap();
    assert!(copy.as_ref() == pcap.as_slice(), "the capture comes back whole");
    assert_eq!(s3.objects(), 4);
    let copy = app.get(&format!("/api/v1/attachments/{}", kept["id"])).await.bytes().await.unwrap();
    assert_eq!(copy.as_ref(), PDF);
    let thumb = app.get(&format!("/api/v1/attachments/{}/thumbnail", shot["id"])).await;
    assert_eq!(thumb.status(), StatusCode::OK);
    expect_problem(app.get_as(&unit_b, &format!("/api/v1/attachments/{}", kept["id"])).await, StatusCode::NOT_FOUND)
        .await;
    let audited = app.state.store.audit_entries(100).await.unwrap();
    assert_eq!(audited.iter().filter(|e| e.action == "attachment.added").count(), 4);
    drop(app);

    // The store refusing the signature: the upload fails as unavailable and nothing is recorded.
    let configure = |c: &mut onsite::config::Config| on_s3(c, &s3, "not-the-secret-key-at-all-0000000");
    let wrong = TestApp::spawn_with(crate::helpers::Backend::Sqlite, configure).await.expect("an app");
    let a = wrong.unit_with_people("安盾").await;
    let notice = wrong.issue(&[a.id], true).await;
    let path = format!("/api/v1/notices/{}/attachments", notice["id"]);
    let p = expect_problem(
        upload(&wrong, &wrong.token, &path, "x.pdf", b"%PDF-1.4\nother\n").await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    assert_eq!(p["status"], 503);
    assert_eq!(wrong.get_ok(&path).await.as_array().unwrap().len(), 0);
    assert_eq!(s3.objects(), 4, "nothing new in the bucket");
}
