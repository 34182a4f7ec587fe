//! Statement texts that outlive a query, for the backends' caches of prepared statements.
//!
//! A backend finds the statement it prepared for a text by the text's address, and must
//! then make sure the text at that address is still the one it prepared: a freed text's
//! memory can hold another statement later. Comparing the bytes costs about fifty
//! instructions on every query, more than the rest of the lookup. Most texts cannot
//! change, though: a model's fixed statements are kept for the life of the process, and a
//! statement of the statement cache lives as long as someone holds its `Arc`. A backend
//! that keeps [`LastingText::of`] a text holds such a text itself, so that a text at the
//! same address and of the same length is the same text, and the bytes need no reading.

use std::sync::Arc;

use crate::query::{model_statements, statement_cache};

/// A statement text as a backend keeps it beside the statement prepared for it.
#[derive(Debug, Clone)]
pub(crate) enum LastingText {
    /// A model's fixed statement, which lives as long as the process.
    Fixed(&'static str),
    /// A statement of the statement cache, kept alive by this clone of its `Arc`.
    Shared(Arc<str>),
    /// Any other text, copied: its bytes are compared.
    Copied(Arc<str>),
}

impl LastingText {
    /// The lasting form of `sql`: the process's own text where `sql` is one, else a copy.
    /// Searches the caches, so it belongs where a statement is prepared, not where one is
    /// looked up.
    #[cold]
    pub(crate) fn of(sql: &str) -> Self {
        if let Some(fixed) = model_statements::find_by_address(sql) {
            return LastingText::Fixed(fixed);
        }
        match statement_cache::find_by_address(sql) {
            Some(shared) => LastingText::Shared(shared),
            None => LastingText::Copied(sql.into()),
        }
    }

    /// Whether `sql` is this text. For a text the process keeps, the same address and length
    /// say so; a copy's bytes are compared.
    #[inline]
    pub(crate) fn is(&self, sql: &str) -> bool {
        match self {
            LastingText::Fixed(text) => same_place(text, sql),
            LastingText::Shared(text) => same_place(text, sql),
            LastingText::Copied(text) => **text == *sql,
        }
    }
}

/// Whether two texts are the same memory (and so the same bytes).
#[inline]
pub(crate) fn same_place(a: &str, b: &str) -> bool {
    a.as_ptr() == b.as_ptr() && a.len() == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Dialect;
    use crate::meta::{ColumnMeta, TableMeta};
    use crate::query::{ModelStatements, StatementKind};
    use crate::types::{SqlTypeInfo, ValueKind};

    static NOTE: TableMeta = TableMeta {
        name: "lasting_text_note",
        rust_name: "Note",
        columns: &[ColumnMeta::new("id", "id", SqlTypeInfo::of(ValueKind::BigInt)).with_primary_key(true)],
        primary_key: &[0],
        indexes: &[],
        renamed_from: None,
    };

    #[test]
    fn a_fixed_statement_is_known_by_its_address() {
        let sql = ModelStatements.sql(&NOTE, StatementKind::Get, Dialect::Postgres);
        let kept = LastingText::of(sql);
        assert!(matches!(kept, LastingText::Fixed(_)), "{kept:?}");
        assert!(kept.is(sql));
        // The same bytes elsewhere are not the kept text: the caller's copy may change.
        let copy = String::from(sql);
        assert!(!kept.is(&copy));
    }

    #[test]
    fn a_cached_statement_is_held_and_known_by_its_address() {
        let sql = statement_cache::keep_for_test("SELECT 'lasting' AS held");
        let kept = LastingText::of(&sql);
        let LastingText::Shared(held) = &kept else { panic!("not found in the statement cache: {kept:?}") };
        assert!(same_place(held, &sql));
        assert!(kept.is(&sql));
        let copy = String::from(&*sql);
        assert!(!kept.is(&copy));
    }

    #[test]
    fn any_other_text_is_copied_and_compared_by_its_bytes() {
        let mut text = String::from("SELECT 1");
        let kept = LastingText::of(&text);
        assert!(matches!(kept, LastingText::Copied(_)), "{kept:?}");
        assert!(kept.is(&text));
        text.replace_range(.., "SELECT 2");
        assert!(!kept.is(&text), "the same address with other bytes is another text");
    }
}
