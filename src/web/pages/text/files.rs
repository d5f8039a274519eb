//! Evidence files on the pages, in both languages (Chinese first).

use crate::domain::labels::Lang;

pub struct FilesText {
    pub heading: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    pub size: &'static str,
    pub by: &'static str,
    pub at: &'static str,
    pub on: &'static str,
    pub none: &'static str,
    pub upload: &'static str,
    pub attach_to: &'static str,
    pub closure_report: &'static str,
    /// What may be sent, and how a sample must be packed.
    pub hint: &'static str,
    /// Said in the browser before a file over the limit is sent.
    pub too_large: &'static str,
    pub distance: fn(f64) -> String,
    pub far: &'static str,
    pub no_position: &'static str,
}

pub const ZH: FilesText = FilesText {
    heading: "附件",
    name: "文件",
    kind: "类型",
    size: "大小",
    by: "上传人",
    at: "上传时间",
    on: "所属",
    none: "暂无附件",
    upload: "上传",
    attach_to: "附加到",
    closure_report: "处置报告",
    hint: "可上传图片、PDF、Office 文档、文本和日志、抓包文件、zip 压缩包；恶意样本须放入加密压缩包（密码通常为 infected）。照片的位置等元数据不会对他人显示。",
    too_large: "文件过大，无法上传",
    distance: |m| format!("距现场 {m:.0} 米"),
    far: "超出到场范围",
    no_position: "照片无位置信息",
};

pub const EN: FilesText = FilesText {
    heading: "Files",
    name: "File",
    kind: "Type",
    size: "Size",
    by: "Uploaded by",
    at: "Uploaded at",
    on: "On",
    none: "No files yet",
    upload: "Upload",
    attach_to: "Attach to",
    closure_report: "Closure report",
    hint: "Images, PDF, Office documents, text and logs, packet captures and zip archives; malware samples only inside an encrypted zip (usually with the password infected). A photo's position and other metadata are never shown to others.",
    too_large: "This file is too large to upload",
    distance: |m| format!("{m:.0} m from the site"),
    far: "beyond the on-site radius",
    no_position: "no position in the photo",
};

pub fn files(lang: Lang) -> &'static FilesText {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}
