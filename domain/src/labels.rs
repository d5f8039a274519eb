//! Enums with a stable code (used in the API and the database) and a Chinese
//! and English label (used by the UI, the bot and the reports).

/// Defines a closed set of codes with their Chinese and English labels.
///
/// The code is the wire and storage form; unknown codes are rejected by serde
/// with the list of accepted values, which is what an API client needs to see.
#[macro_export]
macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $variant:ident => ($code:literal, $zh:literal, $en:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, sea_orm::DeriveValueType,
        )]
        #[sea_orm(value_type = "String")]
        pub enum $name {
            $( #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code used on the wire and in storage.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The label in the given language (`zh` first, anything else is English).
            pub fn label(self, lang: $crate::labels::Lang) -> &'static str {
                match lang {
                    $crate::labels::Lang::Zh => match self { $($name::$variant => $zh),+ },
                    $crate::labels::Lang::En => match self { $($name::$variant => $en),+ },
                }
            }

            /// Parses a stored or submitted code.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        $crate::openapi_enum!($name, [$($code),+], [$(concat!("`", $code, "` ", $zh, " / ", $en)),+]);

        $crate::stored_as_code!($name);
    };
}

/// The OpenAPI schema of a labelled enum (feature `openapi`): its codes,
/// each described in both languages. Written by hand: the derive does not
/// see `serde(rename)` through `labelled_enum!` and documented the Rust
/// names instead of the codes.
#[cfg(feature = "openapi")]
#[macro_export]
#[doc(hidden)]
macro_rules! openapi_enum {
    ($name:ident, [$($code:expr),+], [$($described:expr),+]) => {
        impl $crate::__utoipa::PartialSchema for $name {
            fn schema() -> $crate::__utoipa::openapi::RefOr<$crate::__utoipa::openapi::schema::Schema> {
                $crate::__utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type($crate::__utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .description(Some([$($described),+].join("; ")))
                    .into()
            }
        }

        impl $crate::__utoipa::ToSchema for $name {}
    };
}

/// Without the `openapi` feature a labelled enum has no schema.
#[cfg(not(feature = "openapi"))]
#[macro_export]
#[doc(hidden)]
macro_rules! openapi_enum {
    ($($ignored:tt)*) => {};
}

/// `FromStr` and `Display` through a type's `from_code` and `code`: what
/// sea-orm's `DeriveValueType` stores. A stored code this version does not
/// know is a decoding error, never a default.
#[macro_export]
macro_rules! stored_as_code {
    ($name:ty) => {
        impl std::str::FromStr for $name {
            type Err = sea_orm::sea_query::ValueTypeErr;

            fn from_str(code: &str) -> Result<Self, Self::Err> {
                Self::from_code(code).ok_or(sea_orm::sea_query::ValueTypeErr)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

/// The languages of the UI, the bot and the reports. Chinese is the default.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize, sea_orm::DeriveValueType,
)]
#[serde(rename_all = "lowercase")]
#[sea_orm(value_type = "String")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

crate::stored_as_code!(Lang);

#[cfg(test)]
mod tests {
    use crate::notice::Category;

    use super::Lang;

    #[test]
    fn every_code_round_trips_and_has_both_labels() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(*c));
            assert!(!c.label(Lang::Zh).is_empty());
            assert!(!c.label(Lang::En).is_empty());
        }
        assert_eq!(Category::from_code("nope"), None);
    }

    #[test]
    fn unknown_codes_are_refused_by_serde_with_the_accepted_list() {
        let err = serde_json::from_str::<Category>("\"meteor\"").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("meteor"), "{msg}");
        assert!(msg.contains("web_defacement"), "{msg}");
    }
}
