//! Coordinates of a site or an engineer, validated, and the distance between
//! two of them (to flag an "on site" report made far from the site).

use serde::{Deserialize, Serialize};

use super::error::FieldError;

/// A WGS-84 position whose latitude and longitude are finite and in range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coordinates {
    pub lat: f64,
    pub lon: f64,
}

impl Coordinates {
    /// Validates a pair; `field` prefixes the error (for example `site`).
    pub fn parse(field: &str, lat: f64, lon: f64) -> Result<Self, FieldError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(FieldError::new(
                format!("{field}.lat"),
                "out_of_range",
                format!("latitude {lat} is outside -90..90"),
                format!("纬度 {lat} 超出 -90 到 90 的范围"),
            ));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(FieldError::new(
                format!("{field}.lon"),
                "out_of_range",
                format!("longitude {lon} is outside -180..180"),
                format!("经度 {lon} 超出 -180 到 180 的范围"),
            ));
        }
        Ok(Self { lat, lon })
    }

    /// Parses an optional pair where both or neither must be given.
    pub fn parse_optional(field: &str, lat: Option<f64>, lon: Option<f64>) -> Result<Option<Self>, FieldError> {
        match (lat, lon) {
            (None, None) => Ok(None),
            (Some(lat), Some(lon)) => Self::parse(field, lat, lon).map(Some),
            _ => Err(FieldError::new(
                field,
                "incomplete_coordinates",
                "give both lat and lon, or neither",
                "经纬度须同时填写或同时留空",
            )),
        }
    }

    /// Great-circle distance in metres (haversine; ample for "is the engineer
    /// within a few hundred metres of the site").
    pub fn distance_m(self, other: Coordinates) -> f64 {
        const EARTH_RADIUS_M: f64 = 6_371_008.8;
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().asin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_latitude_names_the_field() {
        let err = Coordinates::parse("site", 91.0, 106.5).unwrap_err();
        assert_eq!(err.field, "site.lat");
        assert_eq!(err.code, "out_of_range");
    }

    #[test]
    fn non_finite_values_are_refused() {
        assert!(Coordinates::parse("site", f64::NAN, 0.0).is_err());
        assert!(Coordinates::parse("site", 0.0, f64::INFINITY).is_err());
    }

    #[test]
    fn half_a_pair_is_refused() {
        let err = Coordinates::parse_optional("site", Some(29.5), None).unwrap_err();
        assert_eq!(err.code, "incomplete_coordinates");
        assert_eq!(Coordinates::parse_optional("site", None, None).unwrap(), None);
    }

    #[test]
    fn distance_between_two_chongqing_landmarks_is_about_right() {
        // Jiefangbei to Chaotianmen: roughly 1.3 km apart.
        let jiefangbei = Coordinates::parse("a", 29.5577, 106.5772).unwrap();
        let chaotianmen = Coordinates::parse("b", 29.5657, 106.5865).unwrap();
        let d = jiefangbei.distance_m(chaotianmen);
        assert!((1_100.0..1_400.0).contains(&d), "{d}");
        assert!(jiefangbei.distance_m(jiefangbei) < 0.001);
    }
}
