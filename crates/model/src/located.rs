//! Where a problem sits in a text input (a policy, a security-models file): file, line,
//! column and field, so a person can jump straight to the mistake.

use thiserror::Error;

/// A bad value in a text input: `file:line:column: field: message`.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{file}:{line}:{column}: {}{message}", field_prefix(.field))]
pub struct Located {
    /// The file name as given.
    pub file: String,
    /// 1-based line of the offending key or value.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// The field, e.g. ``constraint #2 `top-share`, field `threshold` ``, when known.
    pub field: Option<String>,
    /// What is wrong and what is accepted instead.
    pub message: String,
}

fn field_prefix(field: &Option<String>) -> String {
    match field {
        Some(f) => format!("{f}: "),
        None => String::new(),
    }
}

impl Located {
    /// The problem at byte `offset` of `text` (the contents of `file`).
    pub fn at(
        text: &str,
        file: &str,
        offset: usize,
        field: Option<String>,
        message: impl Into<String>,
    ) -> Located {
        let (line, column) = line_column(text, offset);
        Located {
            file: file.to_string(),
            line,
            column,
            field,
            message: message.into(),
        }
    }
}

/// 1-based (line, column in characters) of byte `offset` of `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_message() {
        let text = "a = 1\nbé = x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 11), (2, 5));
        assert_eq!(line_column(text, 999), (3, 1));
        let e = Located::at(text, "p.toml", 11, Some("field `bé`".into()), "bad");
        assert_eq!(e.to_string(), "p.toml:2:5: field `bé`: bad");
        let e = Located::at(text, "p.toml", 0, None, "bad");
        assert_eq!(e.to_string(), "p.toml:1:1: bad");
    }
}
