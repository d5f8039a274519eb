//! Evidence files' bytes and images: the object store they are kept in
//! (`objects`) and what is done to a photo before others see it (`photo`).

pub mod objects;
pub mod photo;

pub use objects::{Objects, ObjectsError};

use crate::domain::attachment::SizeLimits;

/// What the use cases need of evidence: where objects go, how large each
/// class may be, and the on-site radius a photo's position is judged by.
#[derive(Clone, Debug)]
pub struct Evidence {
    pub objects: Objects,
    pub limits: SizeLimits,
    pub radius_m: f64,
    /// How old an object no record names must be before it is deleted.
    pub sweep_after: chrono::Duration,
}
