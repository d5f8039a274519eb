//! A JSON document kept in a TEXT column. Both databases store these columns
//! as text (PostgreSQL's `json` type would refuse a text parameter), so the
//! column decodes to its type when the row is read: a document that does not
//! parse is `StoreError::Corrupt` wherever it is read, never a default.

use std::ops::Deref;
use std::sync::Arc;

use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonText<T>(pub T);

impl<T> JsonText<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: Serialize> JsonText<T> {
    /// The stored text.
    pub fn to_text(&self) -> String {
        // Plain data (structs, vectors, strings, numbers) always serialises.
        serde_json::to_string(&self.0).expect("plain data serialises to JSON")
    }
}

impl<T> Deref for JsonText<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> From<T> for JsonText<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T: Serialize> From<JsonText<T>> for Value {
    fn from(j: JsonText<T>) -> Self {
        Value::String(Some(j.to_text()))
    }
}

impl<T: DeserializeOwned> TryGetable for JsonText<T> {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        let text = String::try_get_by(res, idx)?;
        serde_json::from_str(&text).map(JsonText).map_err(|e| {
            TryGetError::DbErr(DbErr::TryIntoErr {
                from: "JSON text",
                into: std::any::type_name::<T>(),
                source: Arc::new(e),
            })
        })
    }
}

impl<T: DeserializeOwned> ValueType for JsonText<T> {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        let text = <String as ValueType>::try_from(v)?;
        serde_json::from_str(&text).map(JsonText).map_err(|_| ValueTypeErr)
    }

    fn type_name() -> String {
        format!("JsonText<{}>", std::any::type_name::<T>())
    }

    fn array_type() -> ArrayType {
        ArrayType::String
    }

    fn column_type() -> ColumnType {
        ColumnType::Text
    }
}

impl<T> Nullable for JsonText<T> {
    fn null() -> Value {
        Value::String(None)
    }
}
