//! Names people and organisations are shown by.

use crate::error::FieldError;

/// A display name: trimmed, 1 to 200 characters, no control characters, at
/// least one visible character, and no bidirectional overrides or isolates
/// (U+202A–U+202E, U+2066–U+2069), which can make a name read as another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::new("name", "required", "name must not be empty"));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(
                "name",
                "too_long",
                format!("name must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(FieldError::new(
                "name",
                "control_characters",
                "name must not contain control characters",
            ));
        }
        if name.chars().any(is_bidi_control) {
            return Err(FieldError::new(
                "name",
                "bidi_control",
                "name must not contain bidirectional overrides or isolates (U+202A–U+202E, U+2066–U+2069)",
            ));
        }
        if name.chars().all(is_invisible) {
            return Err(FieldError::new(
                "name",
                "invisible",
                "name must contain at least one visible character",
            ));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Embeddings, overrides and isolates of the Unicode bidirectional algorithm.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that render as nothing: white space, format characters (zero
/// widths, joiners, marks, the BOM, tags), fillers and blanks that look empty,
/// and variation selectors.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::DisplayName;
    use proptest::prelude::*;

    #[test]
    fn names_show_something_and_read_in_order() {
        for invisible in [
            "\u{200B}",
            "\u{200B}\u{200D}\u{FEFF}",
            "\u{3164}",
            "\u{2800}\u{00AD}",
            "\u{E0041}",
        ] {
            assert_eq!(
                DisplayName::parse(invisible).unwrap_err().code,
                "invisible",
                "{invisible:?}"
            );
        }
        for bidi in ["abc\u{202E}fdp.exe", "\u{2066}Contoso\u{2069}", "\u{202A}x"] {
            assert_eq!(DisplayName::parse(bidi).unwrap_err().code, "bidi_control", "{bidi:?}");
        }
        // Joiners inside visible text (emoji, Indic scripts) and right-to-left names stay valid.
        assert!(DisplayName::parse("👩\u{200D}💻 Team").is_ok());
        assert!(DisplayName::parse("شركة كونتوسو").is_ok());
    }

    proptest! {
        /// Whatever the input, a parsed name is trimmed, bounded, visible and free
        /// of control and bidi characters; parsing never panics.
        #[test]
        fn parsed_names_keep_their_promises(raw in "\\PC{0,210}|[\u{200B}-\u{200F}\u{202A}-\u{202E}a ]{0,8}") {
            if let Ok(name) = DisplayName::parse(&raw) {
                let s = name.as_str();
                prop_assert_eq!(s, s.trim());
                prop_assert!((1..=DisplayName::MAX_CHARS).contains(&s.chars().count()));
                prop_assert!(!s.chars().all(super::is_invisible));
                prop_assert!(!s.chars().any(|c| c.is_control() || super::is_bidi_control(c)));
            }
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Contoso Ltd ").unwrap().as_str(), "Contoso Ltd");
        assert_eq!(DisplayName::parse("   ").unwrap_err().code, "required");
        assert_eq!(DisplayName::parse(&"x".repeat(201)).unwrap_err().code, "too_long");
        assert!(DisplayName::parse(&"é".repeat(200)).is_ok());
        assert_eq!(DisplayName::parse("a\u{0}b").unwrap_err().code, "control_characters");
    }
}
