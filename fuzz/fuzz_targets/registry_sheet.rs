//! Registry files: any bytes are read as a table (a workbook or a CSV) or
//! refused, and any table as a sheet or a list of bad cells, never a
//! panic; a sheet that reads is laid out again with its units in order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onsite::domain::registry_sheet;
use onsite::reports::registry_sheet::table_of;

fuzz_target!(|input: (&[u8], Vec<Vec<String>>)| {
    let (bytes, table) = input;
    if let Ok(t) = table_of(bytes) {
        let _ = registry_sheet::read(&t);
    }
    if let Ok(sheet) = registry_sheet::read(&table) {
        let names: std::collections::HashSet<_> = sheet.units.iter().map(|u| u.draft.name.as_str()).collect();
        assert_eq!(names.len(), sheet.units.len(), "a unit is one entry however many rows name it");
        assert!(sheet.units.iter().all(|u| u.row >= 2), "data starts on row 2");
    }
});
