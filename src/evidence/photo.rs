//! What onsite does to a photo before anyone else sees it: reads where it
//! was taken from its EXIF (to compare with the site), keeps a copy without
//! its metadata (EXIF, XMP, IPTC: position, device, owner) but with its
//! orientation, and draws a small JPEG thumbnail, the only image ever shown
//! inline.

use std::io::Cursor;

use bytes::Bytes;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use img_parts::ImageEXIF;
use img_parts::jpeg::{Jpeg, markers};
use img_parts::png::Png;
use img_parts::webp::WebP;

use crate::domain::geo::Coordinates;

/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;

/// Pixels and memory an image may need to be decoded: bigger is refused
/// rather than decoded (a decompression bomb).
const MAX_SIDE: u32 = 16_384;
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// The EXIF block of a JPEG, PNG or WebP, if it has one (the containers
/// share `bytes`' buffer: nothing is copied).
fn exif_block(b: &Bytes) -> Option<Bytes> {
    if let Ok(j) = Jpeg::from_bytes(b.clone()) {
        return j.exif();
    }
    if let Ok(p) = Png::from_bytes(b.clone()) {
        return p.exif();
    }
    WebP::from_bytes(b.clone()).ok().and_then(|w| w.exif())
}

fn parsed(bytes: &Bytes) -> Option<exif::Exif> {
    exif::Reader::new().read_raw(exif_block(bytes)?.to_vec()).ok()
}

/// Degrees from EXIF's degrees, minutes and seconds, signed by its reference.
fn degrees(e: &exif::Exif, value: exif::Tag, reference: exif::Tag, negative: u8) -> Option<f64> {
    let field = e.get_field(value, exif::In::PRIMARY)?;
    let exif::Value::Rational(parts) = &field.value else { return None };
    let [d, m, s] = parts.get(..3)? else { return None };
    let abs = d.to_f64() + m.to_f64() / 60.0 + s.to_f64() / 3600.0;
    let sign = match e.get_field(reference, exif::In::PRIMARY).map(|f| &f.value) {
        Some(exif::Value::Ascii(v)) if v.first().and_then(|s| s.first()) == Some(&negative) => -1.0,
        _ => 1.0,
    };
    Some(sign * abs)
}

/// Where the photo says it was taken, when its EXIF carries a valid position.
pub fn place(bytes: &Bytes) -> Option<Coordinates> {
    let e = parsed(bytes)?;
    let lat = degrees(&e, exif::Tag::GPSLatitude, exif::Tag::GPSLatitudeRef, b'S')?;
    let lon = degrees(&e, exif::Tag::GPSLongitude, exif::Tag::GPSLongitudeRef, b'W')?;
    Coordinates::parse("place", lat, lon).ok()
}

/// The EXIF orientation (1 to 8), when given.
fn orientation(bytes: &Bytes) -> Option<u16> {
    let e = parsed(bytes)?;
    match e.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?.value {
        exif::Value::Short(ref v) => v.first().copied().filter(|o| (1..=8).contains(o)),
        _ => None,
    }
}

/// An EXIF block holding only the orientation.
fn orientation_only(o: u16) -> Option<Bytes> {
    let field =
        exif::Field { tag: exif::Tag::Orientation, ifd_num: exif::In::PRIMARY, value: exif::Value::Short(vec![o]) };
    let mut writer = exif::experimental::Writer::new();
    writer.push_field(&field);
    let mut out = Cursor::new(Vec::new());
    writer.write(&mut out, false).ok()?;
    Some(Bytes::from(out.into_inner()))
}

/// The photo without its metadata: for a JPEG every APP1 (EXIF, XMP) and
/// APP13 (IPTC) segment and comment, for PNG and WebP the EXIF; the
/// orientation is written back alone so the photo still stands upright.
/// Other images (GIF) carry no position and are kept as they are.
pub fn stripped(b: &Bytes) -> Bytes {
    let upright = orientation(b).filter(|o| *o != 1).and_then(orientation_only);
    if let Ok(mut j) = Jpeg::from_bytes(b.clone()) {
        for marker in [markers::APP1, markers::APP13, markers::COM] {
            j.remove_segments_by_marker(marker);
        }
        j.set_exif(upright);
        return j.encoder().bytes();
    }
    if let Ok(mut p) = Png::from_bytes(b.clone()) {
        p.set_exif(upright);
        for text in [*b"tEXt", *b"zTXt", *b"iTXt"] {
            p.remove_chunks_by_type(text);
        }
        return p.encoder().bytes();
    }
    if let Ok(mut w) = WebP::from_bytes(b.clone()) {
        w.set_exif(None);
        w.remove_chunks_by_id(*b"XMP ");
        return w.encoder().bytes();
    }
    b.clone()
}

/// A thumbnail as PNG with its size in pixels, as a Word document embeds
/// a picture; `None` if it cannot be read.
pub fn png(thumbnail: &[u8]) -> Option<(Vec<u8>, u32, u32)> {
    let mut reader = ImageReader::new(Cursor::new(thumbnail)).with_guessed_format().ok()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(THUMBNAIL_SIDE);
    limits.max_image_height = Some(THUMBNAIL_SIDE);
    reader.limits(limits);
    let img = reader.decode().ok()?;
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).ok()?;
    Some((out.into_inner(), img.width(), img.height()))
}

/// A JPEG at most `THUMBNAIL_SIDE` pixels on its longest side, upright;
/// `None` for an image that cannot be decoded within the limits.
pub fn thumbnail(bytes: &[u8]) -> Option<Bytes> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().ok()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().ok()?;
    let turn = decoder.orientation().ok()?;
    let mut img = DynamicImage::from_decoder(decoder).ok()?;
    img.apply_orientation(turn);
    let small = img.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE).into_rgb8();
    let mut out = Cursor::new(Vec::new());
    small.write_to(&mut out, image::ImageFormat::Jpeg).ok()?;
    Some(Bytes::from(out.into_inner()))
}
