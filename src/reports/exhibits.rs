//! A report's files in its Word document: each photo's thumbnail embedded
//! over its caption, then a table of every file. The closure report and
//! the special report share it; each writes its own captions.

use docx_rs::{Docx, Paragraph, Pic, Run};

use super::house_style::{heading, table, text};
use crate::app::attachments::Preview;
use crate::domain::labels::Lang;
use crate::evidence::photo;

/// A file as the document shows it.
pub struct Exhibit {
    /// What the file is and when it came (the report writes it).
    pub caption: String,
    pub name: String,
    pub kind: &'static str,
    pub size: u64,
    /// The thumbnail as PNG with its width and height in pixels.
    pub picture: Option<(Vec<u8>, u32, u32)>,
}

impl Exhibit {
    /// `file` under `caption`, its thumbnail (metadata-free) as its picture.
    pub fn new(file: Preview, caption: String) -> Self {
        let a = file.attachment;
        Self {
            caption,
            kind: a.kind.label(Lang::Zh),
            size: a.size,
            picture: if file.bytes.is_empty() { None } else { photo::png(&file.bytes) },
            name: a.name,
        }
    }
}

/// The section `title`: each photo embedded over its caption, then the
/// list of every file; nothing when there are no files.
pub fn section(mut doc: Docx, title: &str, exhibits: &[Exhibit]) -> Docx {
    if exhibits.is_empty() {
        return doc;
    }
    doc = doc.add_paragraph(heading(title));
    for e in exhibits {
        if let Some((png, w, h)) = &e.picture {
            // Never `Pic::new`, which panics on an image it cannot read.
            let pic = Pic::new_with_dimensions(png.clone(), *w, *h);
            doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_image(pic)));
            doc = doc.add_paragraph(text(&e.caption));
        }
    }
    let rows =
        exhibits.iter().map(|e| vec![e.caption.clone(), e.kind.to_owned(), format!("{} 字节", e.size)]).collect();
    doc.add_table(table(&["附件", "类型", "大小"], rows))
}
