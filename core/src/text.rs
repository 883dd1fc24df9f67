//! Text that hosts supply (B2, K2): trimmed, bounded, free of control and
//! look-alike formatting characters.

use crate::error::{Error, Field, Problem};

/// Checks a text field: trimmed, bounded, no control characters; `required`
/// refuses an empty one. Returns the trimmed value.
pub(crate) fn check_text(
    field: Field,
    value: &str,
    max: usize,
    required: bool,
) -> Result<String, Error> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(Error::invalid(field, Problem::Empty));
    }
    if v.chars().count() > max {
        return Err(Error::invalid(field, Problem::TooLong { max }));
    }
    if v.chars().any(forbidden_char) {
        return Err(Error::invalid(field, Problem::ControlCharacter));
    }
    Ok(v.to_owned())
}

/// Control characters, and the invisible formatting characters that can
/// make one name look like another: bidirectional overrides and isolates,
/// zero-width characters, the byte-order mark.
pub(crate) fn forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
        )
}
