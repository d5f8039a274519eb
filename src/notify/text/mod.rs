//! Page wording, one module per language.

pub mod en;
pub mod zh;
