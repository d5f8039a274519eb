use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

use super::*;

/// A stored (uncompressed) zip of these entries.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(body).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The same zip with every entry marked encrypted (ZipCrypto's flag in the
/// local and central headers): the server never decrypts, so only the flag matters.
fn encrypted(mut zip: Vec<u8>) -> Vec<u8> {
    for signature in [[0x50, 0x4b, 0x03, 0x04], [0x50, 0x4b, 0x01, 0x02]] {
        let flag_at = if signature[2] == 0x03 { 6 } else { 8 };
        let starts: Vec<usize> = zip.windows(4).enumerate().filter(|(_, w)| *w == signature).map(|(i, _)| i).collect();
        for s in starts {
            zip[s + flag_at] |= 1;
        }
    }
    zip
}

#[test]
fn the_content_decides_the_kind_whatever_the_name() {
    let kind = |bytes: &[u8]| sniff(bytes).map(|s| (s.kind, s.mime));
    assert_eq!(kind(&[0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F']), Ok((FileKind::Image, "image/jpeg")));
    assert_eq!(kind(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap().0, FileKind::Image);
    assert_eq!(kind(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n").unwrap(), (FileKind::Pdf, "application/pdf"));
    assert_eq!(kind(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]).unwrap().0, FileKind::Pcap);
    assert_eq!(kind(&[0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0]).unwrap().0, FileKind::Pcap);
    assert_eq!(kind("2026-11-25 03:01:12 sshd[811]: Failed password for root\n".as_bytes()).unwrap().0, FileKind::Text);
    assert_eq!(kind(&[0xd6, 0xd0, 0xce, 0xc4, b'\r', b'\n']).unwrap().0, FileKind::Text, "GBK text is text");
    let docx = zip_of(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")]);
    assert_eq!(kind(&docx).unwrap().0, FileKind::Office);
    let logs = zip_of(&[("access.log", b"GET / 200\n"), ("error.log", b"oops\n")]);
    assert_eq!(kind(&logs).unwrap().0, FileKind::Archive);
    assert_eq!(kind(&encrypted(logs)).unwrap().0, FileKind::Sample, "every entry encrypted: a sample archive");
}

#[test]
fn programs_unknown_binaries_and_empty_files_are_refused_in_both_languages() {
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0".to_vec();
    elf.resize(64, 0);
    let e = sniff(&elf).unwrap_err();
    assert_eq!(e.code, "sample_not_encrypted");
    assert!(e.message_zh.contains("infected"), "{}", e.message_zh);
    let pe = [b'M', b'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff];
    assert_eq!(sniff(&pe).unwrap_err().code, "sample_not_encrypted");
    assert_eq!(sniff(&[0x00, 0x01, 0x02, 0x03, 0xfe]).unwrap_err().code, "file_type_not_allowed");
    let rar = b"Rar!\x1a\x07\x01\x00";
    let e = sniff(rar).unwrap_err();
    assert_eq!(e.code, "file_type_not_allowed");
    assert!(e.message_zh.starts_with("不接受"), "{}", e.message_zh);
    assert_eq!(sniff(b"").unwrap_err().code, "file_empty");
    assert_eq!(sniff(b"PK\x03\x04broken").unwrap_err().code, "file_unreadable");
}

#[test]
fn a_kept_name_is_its_last_part_without_tricks_and_says_what_it_is() {
    let jpeg = sniff(&[0xff, 0xd8, 0xff, 0xe0]).unwrap();
    assert_eq!(safe_name("现场照片.JPG", &jpeg), "现场照片.JPG");
    assert_eq!(safe_name(r"C:\Users\王敏\Desktop\到场.jpeg", &jpeg), "到场.jpeg");
    assert_eq!(safe_name("../../etc/passwd", &jpeg), "passwd.jpg");
    assert_eq!(
        safe_name("report\u{202e}gpj.exe", &jpeg),
        "reportgpj.exe.jpg",
        "no right-to-left override, the true extension added"
    );
    assert_eq!(safe_name("...hidden.jpg", &jpeg), "hidden.jpg");
    assert_eq!(safe_name("", &jpeg), "附件 file.jpg");
    assert_eq!(safe_name("a\u{0}b<c>:d.jpg", &jpeg), "abcd.jpg");
    let long = "长".repeat(300);
    let kept = safe_name(&long, &jpeg);
    assert_eq!(kept.chars().count(), MAX_NAME_CHARS);
    assert!(kept.ends_with(".jpg"));
}

#[test]
fn each_class_has_its_size_limit_named_in_the_refusal() {
    let limits = SizeLimits { image: 20 << 20, document: 50 << 20, bulk: 200 << 20 };
    assert_eq!(limits.check(FileKind::Image, 20 << 20), Ok(()));
    let e = limits.check(FileKind::Image, (20 << 20) + 1).unwrap_err();
    assert_eq!((e.code, e.message_zh.as_str()), ("too_large", "图片不能超过 20 MiB"));
    assert_eq!(limits.check(FileKind::Pcap, 150 << 20), Ok(()));
    assert_eq!(limits.check(FileKind::Pdf, 60 << 20).unwrap_err().message, "a pdf document may be at most 50 MiB");
}

#[test]
fn a_photo_far_from_the_site_is_flagged_not_refused() {
    let site = Coordinates { lat: 29.5610, lon: 106.5790 };
    let near = PhotoPlace::judge(Coordinates { lat: 29.5615, lon: 106.5795 }, Some(site), 1_000.0);
    assert!(!near.far_from_site && near.distance_m.unwrap() < 100.0, "{near:?}");
    let far = PhotoPlace::judge(Coordinates { lat: 29.62, lon: 106.50 }, Some(site), 1_000.0);
    assert!(far.far_from_site && far.distance_m.unwrap() > 5_000.0, "{far:?}");
    let nowhere = PhotoPlace::judge(Coordinates { lat: 29.62, lon: 106.50 }, None, 1_000.0);
    assert_eq!((nowhere.distance_m, nowhere.far_from_site), (None, false), "no site, nothing to compare");
}

#[test]
fn a_reports_files_change_only_while_it_may_be_edited() {
    for open in [None, Some(ReviewStatus::Draft), Some(ReviewStatus::Returned)] {
        assert!(check_report_open(open).is_ok(), "{open:?}");
    }
    for closed in [ReviewStatus::Submitted, ReviewStatus::Accepted] {
        let DomainError::Conflict { code, message_zh, .. } = check_report_open(Some(closed)).unwrap_err() else {
            panic!("a conflict")
        };
        assert_eq!(code, "report_not_editable");
        assert!(message_zh.contains("报告已提交"));
    }
}
