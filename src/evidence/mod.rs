//! Evidence files' bytes and images: a file as it arrives (`received`),
//! the object store it is kept in (`objects`) and what is done to a photo
//! before others see it (`photo`).

pub mod objects;
pub mod photo;
pub mod received;

pub use objects::{ObjectStream, Objects, ObjectsError};
pub use received::{Received, Receiving};

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
