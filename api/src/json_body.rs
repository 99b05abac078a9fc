//! What `serde_json` lets through in a request body but the API refuses, found
//! in one pass over the raw bytes (after they parsed as JSON, so the syntax is
//! known to be valid): a key repeated in one object (400, as two values for one
//! field make the body ambiguous), and numbers written with an exponent
//! (`1e2`) or as negative zero (`-0`), which no field takes (422 naming the
//! field: integers are written as integers, and no body field is a float).

use crate::error::ApiError;

/// Refuses duplicate keys and exponent or negative-zero numbers in `bytes`, a
/// valid JSON text.
pub fn check(bytes: &[u8]) -> Result<(), ApiError> {
    let mut scanner = Scanner { bytes, at: 0 };
    scanner.value(&mut Vec::new())
}

/// A path segment: an object key or an array index.
enum Segment {
    Key(String),
    Index(usize),
}

/// The field name a path reads as: `unit_price.amount_minor`, `roles[1]`.
fn field(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(k) if out.is_empty() => out.push_str(k),
            Segment::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    if out.is_empty() {
        "body".into()
    } else {
        out
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    fn skip_space(&mut self) {
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.bytes.get(self.at).copied()
    }

    fn value(&mut self, path: &mut Vec<Segment>) -> Result<(), ApiError> {
        match self.peek() {
            Some(b'{') => self.object(path),
            Some(b'[') => self.array(path),
            Some(b'"') => self.string().map(drop),
            Some(b'-' | b'0'..=b'9') => self.number(path),
            // true, false, null
            _ => {
                while self.bytes.get(self.at).is_some_and(u8::is_ascii_alphabetic) {
                    self.at += 1;
                }
                Ok(())
            }
        }
    }

    fn object(&mut self, path: &mut Vec<Segment>) -> Result<(), ApiError> {
        self.at += 1;
        let mut keys = std::collections::HashSet::new();
        loop {
            match self.peek() {
                Some(b'}') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b',') => self.at += 1,
                Some(b'"') => {
                    let key = self.string()?;
                    if !keys.insert(key.clone()) {
                        path.push(Segment::Key(key));
                        let field = field(path);
                        return Err(ApiError::Malformed(format!(
                            "the body repeats the key `{field}`; send each field once"
                        )));
                    }
                    self.peek();
                    self.at += 1; // the colon
                    path.push(Segment::Key(key));
                    self.value(path)?;
                    path.pop();
                }
                _ => return Err(ApiError::Malformed("the body is not valid JSON".into())),
            }
        }
    }

    fn array(&mut self, path: &mut Vec<Segment>) -> Result<(), ApiError> {
        self.at += 1;
        let mut index = 0;
        loop {
            match self.peek() {
                Some(b']') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b',') => {
                    self.at += 1;
                    index += 1;
                }
                Some(_) => {
                    path.push(Segment::Index(index));
                    self.value(path)?;
                    path.pop();
                }
                None => return Err(ApiError::Malformed("the body is not valid JSON".into())),
            }
        }
    }

    /// A string token, unescaped (keys are compared as their values, so `"a"`
    /// and `"\u0061"` are the same key).
    fn string(&mut self) -> Result<String, ApiError> {
        let start = self.at;
        self.at += 1;
        while let Some(b) = self.bytes.get(self.at) {
            self.at += 1;
            match b {
                b'\\' => self.at += 1,
                b'"' => break,
                _ => {}
            }
        }
        let raw = self.bytes.get(start..self.at).unwrap_or_default();
        serde_json::from_slice(raw).map_err(|e| ApiError::Malformed(format!("the body is not valid JSON: {e}")))
    }

    fn number(&mut self, path: &[Segment]) -> Result<(), ApiError> {
        let start = self.at;
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
        {
            self.at += 1;
        }
        let literal = String::from_utf8_lossy(self.bytes.get(start..self.at).unwrap_or_default()).into_owned();
        let exponent = literal.contains(['e', 'E']);
        let negative_zero = literal.starts_with('-') && literal.bytes().all(|b| matches!(b, b'-' | b'0' | b'.'));
        if exponent || negative_zero {
            return Err(ApiError::invalid(
                &field(path),
                "invalid_number",
                format!("`{literal}`: write numbers without an exponent and zero without a sign"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::error::ApiError;
    use proptest::prelude::*;

    fn field_of(body: &str) -> Option<String> {
        match check(body.as_bytes()) {
            Err(ApiError::Invalid(errors)) => Some(errors[0].field.clone()),
            _ => None,
        }
    }

    #[test]
    fn duplicate_keys_are_malformed_at_any_depth() {
        assert!(check(br#"{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}"#).is_ok());
        for body in [
            r#"{"name":"a","name":"b"}"#,
            r#"{"x":{"k":1,"k":2}}"#,
            r#"{"x":[{"k":1,"\u006b":2}]}"#,
        ] {
            assert!(matches!(check(body.as_bytes()), Err(ApiError::Malformed(_))), "{body}");
        }
    }

    #[test]
    fn exponents_and_negative_zero_name_their_field() {
        assert!(check(br#"{"quantity": 100, "price": -5, "zero": 0, "f": 12.0, "s": "1e2"}"#).is_ok());
        assert_eq!(field_of(r#"{"quantity": 1e2}"#).as_deref(), Some("quantity"));
        assert_eq!(field_of(r#"{"quantity": 1E+2}"#).as_deref(), Some("quantity"));
        assert_eq!(
            field_of(r#"{"unit_price": {"amount_minor": -0}}"#).as_deref(),
            Some("unit_price.amount_minor")
        );
        assert_eq!(field_of(r#"{"a": [1, -0.0]}"#).as_deref(), Some("a[1]"));
    }

    proptest! {
        /// Any valid JSON text is scanned without a panic, and a body without
        /// repeats or odd numbers passes.
        #[test]
        fn scanning_never_panics(value in arb_json()) {
            let text = value.to_string();
            let _ = check(text.as_bytes());
        }
    }

    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            "\\PC{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                proptest::collection::btree_map("\\PC{0,6}", inner, 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
