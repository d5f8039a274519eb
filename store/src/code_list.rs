//! A list of codes kept in one TEXT column, comma-separated (a breach's
//! missed milestones). It decodes when the row is read: a code this
//! version does not know is `StoreError::Corrupt`, like any other column.

use std::fmt::Display;
use std::str::FromStr;

use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable, Value};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeList<T>(pub Vec<T>);

impl<T> CodeList<T> {
    pub fn into_inner(self) -> Vec<T> {
        self.0
    }
}

impl<T> From<Vec<T>> for CodeList<T> {
    fn from(codes: Vec<T>) -> Self {
        Self(codes)
    }
}

fn parse<T: FromStr>(text: &str) -> Option<Vec<T>> {
    text.split(',').filter(|c| !c.is_empty()).map(|c| c.parse().ok()).collect()
}

impl<T: Display> From<CodeList<T>> for Value {
    fn from(list: CodeList<T>) -> Self {
        Value::String(Some(list.0.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")))
    }
}

impl<T: FromStr> TryGetable for CodeList<T> {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        let text = String::try_get_by(res, idx)?;
        parse(&text).map(CodeList).ok_or_else(|| {
            TryGetError::DbErr(DbErr::Type(format!("{text:?} is not a list of {}", std::any::type_name::<T>())))
        })
    }
}

impl<T: FromStr> ValueType for CodeList<T> {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        let text = <String as ValueType>::try_from(v)?;
        parse(&text).map(CodeList).ok_or(ValueTypeErr)
    }

    fn type_name() -> String {
        format!("CodeList<{}>", std::any::type_name::<T>())
    }

    fn array_type() -> ArrayType {
        ArrayType::String
    }

    fn column_type() -> ColumnType {
        ColumnType::Text
    }
}

impl<T> Nullable for CodeList<T> {
    fn null() -> Value {
        Value::String(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::assignment::Milestone;

    #[test]
    fn a_list_reads_back_as_written_and_an_unknown_code_does_not_read() {
        let written: Value = CodeList(vec![Milestone::Acknowledged, Milestone::OnSite]).into();
        let Value::String(Some(text)) = written else { panic!("stored as text") };
        assert_eq!(text, "acknowledged,on_site");
        assert_eq!(parse::<Milestone>(&text), Some(vec![Milestone::Acknowledged, Milestone::OnSite]));
        assert_eq!(parse::<Milestone>(""), Some(vec![]), "nothing missed");
        assert_eq!(parse::<Milestone>("acknowledged,teleported"), None);
    }
}
