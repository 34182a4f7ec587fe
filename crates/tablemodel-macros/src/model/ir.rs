//! The validated description of a `#[derive(Model)]` struct that every expansion reads.

/// `ON DELETE` actions accepted by `ondelete`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OnDelete {
    Cascade,
    SetNull,
    Restrict,
    NoAction,
}

/// A client-side default.
pub(crate) enum Default {
    Expr(syn::Expr),
    Factory(syn::Path),
}

/// One field of the struct.
pub(crate) struct Field {
    pub(crate) ident: syn::Ident,
    pub(crate) ty: syn::Type,
    pub(crate) skip: bool,
    pub(crate) column_name: String,
    pub(crate) primary_key: bool,
    pub(crate) foreign_key: Option<(String, String)>,
    pub(crate) on_delete: Option<OnDelete>,
    pub(crate) unique: bool,
    pub(crate) index: bool,
    pub(crate) nullable: Option<bool>,
    pub(crate) default: Option<Default>,
    pub(crate) server_default: Option<String>,
    pub(crate) max_length: Option<(u32, proc_macro2::Span)>,
    pub(crate) precision: Option<(u32, u32)>,
    pub(crate) sql_type: Option<String>,
}

/// The whole model.
pub(crate) struct Model {
    pub(crate) ident: syn::Ident,
    pub(crate) table: Option<String>,
    pub(crate) fields: Vec<Field>,
}

impl Model {
    /// The fields stored as columns, with their column positions.
    pub(crate) fn columns(&self) -> impl Iterator<Item = (usize, &Field)> {
        self.fields.iter().filter(|f| !f.skip).enumerate()
    }

    /// The primary-key fields.
    pub(crate) fn key_fields(&self) -> impl Iterator<Item = (usize, &Field)> {
        self.columns().filter(|(_, f)| f.primary_key)
    }
}
