//! The registry's spreadsheet on the units page, in both languages.

use crate::domain::labels::Lang;
use crate::domain::registry_sheet::{Counts, PlanCounts};

pub struct RegistrySheetText {
    pub heading: &'static str,
    pub hint: &'static str,
    pub file: &'static str,
    pub check_only: &'static str,
    pub commit: &'static str,
    pub send: &'static str,
    pub export_xlsx: &'static str,
    pub export_csv: &'static str,
    pub problems: &'static str,
    pub cell: &'static str,
    pub problem: &'static str,
    pub nothing_written: &'static str,
    /// What an import did or would do, and whether it was written.
    pub summary: fn(&PlanCounts, bool) -> String,
    pub ignored: fn(&[String]) -> String,
}

fn counts_zh(c: &Counts) -> String {
    format!("新增 {}、更新 {}、未变 {}", c.created, c.updated, c.unchanged)
}

fn counts_en(c: &Counts) -> String {
    format!("{} new, {} changed, {} unchanged", c.created, c.updated, c.unchanged)
}

pub const ZH: RegistrySheetText = RegistrySheetText {
    heading: "名录导入导出",
    hint: "上传 Excel（XLSX）或 CSV 文件，每位人员一行：单位名称、统一社会信用代码、总部地址、机构名称、所在区县、办公地点、纬度、经度、分类、姓名、部门及职务、手机、办公电话、邮箱、接收渠道（如 短信:13800138000；Telegram:123456）。先检查，全部无误后才会导入；空单元格不改动已有内容，导入不会删除任何记录。导出的文件可直接修改后再导入。",
    file: "名录文件",
    check_only: "仅检查",
    commit: "检查并导入",
    send: "上传",
    export_xlsx: "导出 Excel",
    export_csv: "导出 CSV",
    problems: "文件中有以下问题，未导入任何内容：",
    cell: "单元格",
    problem: "问题",
    nothing_written: "仅检查，未写入。",
    summary: |c, written| {
        format!(
            "{}单位：{}；机构：{}；人员：{}；新增渠道 {} 个。",
            if written { "已导入。" } else { "检查通过。" },
            counts_zh(&c.units),
            counts_zh(&c.branches),
            counts_zh(&c.people),
            c.channels_added
        )
    },
    ignored: |cols| format!("以下列未读取：{}", cols.join("、")),
};

pub const EN: RegistrySheetText = RegistrySheetText {
    heading: "Registry import and export",
    hint: "Upload an Excel (XLSX) or CSV file with one row per person: unit, credit code, HQ address, branch, district, office address, latitude, longitude, role, name, department and title, mobile, office phone, e-mail, channels (such as 短信:13800138000；Telegram:123456). The file is checked first and imported only when every row is right; a blank cell keeps what is stored, and an import never removes anything. An exported file can be edited and imported again.",
    file: "Registry file",
    check_only: "Check only",
    commit: "Check and import",
    send: "Upload",
    export_xlsx: "Export Excel",
    export_csv: "Export CSV",
    problems: "The file has these problems; nothing was imported:",
    cell: "Cell",
    problem: "Problem",
    nothing_written: "Checked only; nothing written.",
    summary: |c, written| {
        format!(
            "{} Units: {}; branches: {}; people: {}; {} channel(s) added.",
            if written { "Imported." } else { "The file is fine." },
            counts_en(&c.units),
            counts_en(&c.branches),
            counts_en(&c.people),
            c.channels_added
        )
    },
    ignored: |cols| format!("Columns not read: {}", cols.join(", ")),
};

pub fn registry_sheet(lang: Lang) -> &'static RegistrySheetText {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}
