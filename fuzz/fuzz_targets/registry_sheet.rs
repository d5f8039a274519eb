//! Registry files: any bytes that are not a zip are read as a CSV table or
//! refused (a legacy .xls among them), and any table as a sheet or a list
//! of bad cells, never a panic. An XLSX's parts are calamine's to parse and
//! its own fuzzing's to cover; what it declares is bounded before that.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onsite::domain::registry_sheet;
use onsite::reports::registry_sheet::table_of;

fuzz_target!(|input: (&[u8], Vec<Vec<String>>)| {
    let (bytes, table) = input;
    if !bytes.starts_with(b"PK") && let Ok(t) = table_of(bytes) {
        let _ = registry_sheet::read(&t);
    }
    if let Ok(sheet) = registry_sheet::read(&table) {
        let names: std::collections::HashSet<_> = sheet.units.iter().map(|u| u.draft.name.as_str()).collect();
        assert_eq!(names.len(), sheet.units.len(), "a unit is one entry however many rows name it");
        assert!(sheet.units.iter().all(|u| u.row >= 2), "data starts on row 2");
    }
});
