//! Parsing a request's fields all at once: every bad field is reported together,
//! and the good values come back typed, so no caller is left holding `Option`s
//! it must trust to be set.

use crate::error::{DomainError, FieldError};

/// A tuple of per-field parse results (`Result<T, FieldError>` each).
pub trait FieldResults {
    /// The tuple of parsed values.
    type Values;

    /// Every value if every field parsed; otherwise every field error, in order.
    fn all_valid(self) -> Result<Self::Values, DomainError>;
}

macro_rules! field_results {
    ($($T:ident $v:ident),+) => {
        impl<$($T),+> FieldResults for ($(Result<$T, FieldError>,)+) {
            type Values = ($($T,)+);

            fn all_valid(self) -> Result<Self::Values, DomainError> {
                let ($($v,)+) = self;
                let mut errors = Vec::new();
                $(let $v = $v.map_err(|e| errors.push(e)).ok();)+
                match ($($v,)+) {
                    ($(Some($v),)+) => Ok(($($v,)+)),
                    _ => Err(DomainError::Invalid(errors)),
                }
            }
        }
    };
}

field_results!(A a);
field_results!(A a, B b);
field_results!(A a, B b, C c);
field_results!(A a, B b, C c, D d);
field_results!(A a, B b, C c, D d, E e);
field_results!(A a, B b, C c, D d, E e, F f);

/// Parses several fields at once: `let (name, email) = parse_all((name, email))?;`.
pub fn parse_all<T: FieldResults>(fields: T) -> Result<T::Values, DomainError> {
    fields.all_valid()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(field: &str) -> FieldError {
        FieldError::new(field, "invalid", "bad")
    }

    #[test]
    fn all_values_when_all_parse() {
        let ok: (Result<i32, FieldError>, Result<&str, FieldError>) = (Ok(1), Ok("x"));
        assert_eq!(parse_all(ok), Ok((1, "x")));
    }

    #[test]
    fn every_error_at_once_in_field_order() {
        let fields: (Result<i32, _>, Result<i32, _>, Result<i32, _>) = (Err(bad("a")), Ok(2), Err(bad("c")));
        match parse_all(fields) {
            Err(DomainError::Invalid(errors)) => {
                let names: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(names, ["a", "c"]);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
