//! Parsing a request's fields all at once: every bad field is reported together,
//! and the good values come back typed, so no caller is left holding `Option`s
//! it must trust to be set.

use crate::error::{DomainError, FieldError};

/// What one field's parse can fail with: one error, or several (a group of
/// fields parsed together).
pub trait IntoFieldErrors {
    fn into_field_errors(self) -> Vec<FieldError>;
}

impl IntoFieldErrors for FieldError {
    fn into_field_errors(self) -> Vec<FieldError> {
        vec![self]
    }
}

impl IntoFieldErrors for Vec<FieldError> {
    fn into_field_errors(self) -> Vec<FieldError> {
        self
    }
}

/// A tuple of per-field parse results (`Result<T, FieldError>` each, or
/// `Result<T, Vec<FieldError>>` for a group).
pub trait FieldResults {
    /// The tuple of parsed values.
    type Values;

    /// Every value if every field parsed; otherwise every field error, in order.
    fn all_valid(self) -> Result<Self::Values, Vec<FieldError>>;
}

macro_rules! field_results {
    ($($T:ident $E:ident $v:ident),+) => {
        impl<$($T, $E: IntoFieldErrors),+> FieldResults for ($(Result<$T, $E>,)+) {
            type Values = ($($T,)+);

            fn all_valid(self) -> Result<Self::Values, Vec<FieldError>> {
                let ($($v,)+) = self;
                let mut errors = Vec::new();
                $(let $v = $v.map_err(|e| errors.extend(e.into_field_errors())).ok();)+
                match ($($v,)+) {
                    ($(Some($v),)+) => Ok(($($v,)+)),
                    _ => Err(errors),
                }
            }
        }
    };
}

field_results!(A EA a);
field_results!(A EA a, B EB b);
field_results!(A EA a, B EB b, C EC c);
field_results!(A EA a, B EB b, C EC c, D ED d);
field_results!(A EA a, B EB b, C EC c, D ED d, E EE e);
field_results!(A EA a, B EB b, C EC c, D ED d, E EE e, F EF f);

/// Parses several fields at once: `let (name, email) = parse_all((name, email))?;`.
pub fn parse_all<T: FieldResults>(fields: T) -> Result<T::Values, DomainError> {
    fields.all_valid().map_err(DomainError::Invalid)
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
        let fields: (Result<i32, _>, Result<i32, FieldError>, Result<i32, _>) =
            (Err(bad("a")), Ok(2), Err(vec![bad("c1"), bad("c2")]));
        match parse_all(fields) {
            Err(DomainError::Invalid(errors)) => {
                let names: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(names, ["a", "c1", "c2"]);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
