//! Rust enums stored by variant name, as SQLModel stores Python enums.

/// An enum stored in a text column by variant name.
///
/// Derive it with `#[derive(DbEnum)]`: the column is `VARCHAR(n)` with `n` the longest
/// variant name, and an unknown name read from the database is a decode error naming it.
pub trait DbEnum: Sized + Copy + Send + Sync + 'static {
    /// The variant names, in declaration order.
    const VARIANTS: &'static [&'static str];
    /// The stored name of this variant.
    fn variant_name(self) -> &'static str;
    /// The variant stored under `name`.
    fn from_variant_name(name: &str) -> Option<Self>;
}

/// The length of the longest variant name, for the `VARCHAR(n)` column of an enum.
pub const fn longest_name(names: &[&str]) -> u32 {
    let mut longest = 0;
    let mut i = 0;
    while i < names.len() {
        if names[i].len() > longest {
            longest = names[i].len();
        }
        i += 1;
    }
    longest as u32
}
