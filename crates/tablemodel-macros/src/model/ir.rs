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
#[derive(Clone)]
pub(crate) enum Default {
    Expr(syn::Expr),
    Factory(syn::Path),
}

/// One field of the struct.
#[derive(Clone)]
pub(crate) struct Field {
    pub(crate) ident: syn::Ident,
    pub(crate) vis: syn::Visibility,
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
    /// `renamed_from`: the column's previous name.
    pub(crate) renamed_from: Option<String>,
    pub(crate) max_length: Option<(u32, proc_macro2::Span)>,
    pub(crate) precision: Option<(u32, u32)>,
    pub(crate) sql_type: Option<String>,
    pub(crate) validation: Validation,
    /// An Update companion's field for a non-nullable column: `Option<T>` where `None` means
    /// "not sent" and an explicit `null` is rejected as `T` rejects it.
    pub(crate) update_non_null: bool,
    /// An Update companion's `Patch<T>` field for a nullable `Option<T>` column: the model's
    /// validator (written for `Option<T>`) is applied to what the patch sets.
    pub(crate) update_patch: bool,
    /// `#[field(generated)]`: the database computes the value; never written by the ORM.
    pub(crate) generated: bool,
    /// `#[field(version)]`: the optimistic-concurrency counter `save` checks and increments.
    pub(crate) version: bool,
    /// `#[relationship(...)]`: the field is a relationship, not a column.
    pub(crate) relationship: Option<Relationship>,
}

/// The shape of a relationship field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum RelationKind {
    ToOne,
    ToMany,
    ManyToMany,
}

/// A `#[relationship(...)]` field of type `Related<shape>`.
#[derive(Clone)]
pub(crate) struct Relationship {
    /// `T`, `Option<T>` or `Vec<T>`.
    pub(crate) shape: syn::Type,
    /// The related model `T`.
    pub(crate) target: syn::Type,
    pub(crate) kind: RelationKind,
    pub(crate) back_populates: Option<syn::LitStr>,
    pub(crate) link_model: Option<syn::Type>,
    pub(crate) foreign_key: Option<String>,
    pub(crate) cascade_delete: bool,
    pub(crate) passive_deletes: bool,
}

/// A number given to `gt`, `ge`, `lt`, `le` or `multiple_of`.
#[derive(Clone, Copy)]
pub(crate) enum Bound {
    Int(i128),
    Float(f64),
}

/// The comparison a bound stands for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparison {
    Gt,
    Ge,
    Lt,
    Le,
}

/// A string format checked behind a cargo feature.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Email,
    Url,
}

/// The Pydantic side of a field: constraints, validators, aliases and schema text.
#[derive(Clone, Default)]
pub(crate) struct Validation {
    pub(crate) min_length: Option<u32>,
    pub(crate) pattern: Option<String>,
    pub(crate) bounds: Vec<(Comparison, Bound)>,
    pub(crate) multiple_of: Option<Bound>,
    pub(crate) min_items: Option<u32>,
    pub(crate) max_items: Option<u32>,
    pub(crate) format: Option<Format>,
    pub(crate) validator: Option<syn::Path>,
    pub(crate) validator_before: Option<syn::Path>,
    pub(crate) alias: Option<String>,
    pub(crate) validation_alias: Option<String>,
    pub(crate) serialization_alias: Option<String>,
    pub(crate) exclude: bool,
    /// `#[model(populate_by_name)]`: an aliased field also accepts its Rust name as input.
    pub(crate) populate_by_name: bool,
    /// The field's own fields are read from and written to this object's level.
    pub(crate) flatten: bool,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) examples: Option<syn::ExprArray>,
}

impl Field {
    /// The JSON key read when validating.
    pub(crate) fn input_key(&self) -> String {
        let v = &self.validation;
        v.validation_alias.clone().or_else(|| v.alias.clone()).unwrap_or_else(|| self.ident.to_string())
    }

    /// The JSON key written when serializing.
    pub(crate) fn output_key(&self) -> String {
        let v = &self.validation;
        v.serialization_alias.clone().or_else(|| v.alias.clone()).unwrap_or_else(|| self.ident.to_string())
    }
}

/// The whole model.
pub(crate) struct Model {
    pub(crate) ident: syn::Ident,
    pub(crate) vis: syn::Visibility,
    pub(crate) table: Option<String>,
    /// `#[model(renamed_from = "…")]`: the table's previous name.
    pub(crate) renamed_from: Option<String>,
    /// `#[model(base)]`: its fields can be inlined into tables (`#[tablemodel::inline_bases]`).
    pub(crate) base: bool,
    pub(crate) fields: Vec<Field>,
    pub(crate) companions: Companions,
    /// `#[model(validator = path)]`: `fn(Self) -> Result<Self, ValueError>` after the fields.
    pub(crate) validator: Option<syn::Path>,
    /// `#[model(validator_before = path)]`: `fn(Value) -> Result<Value, ValueError>` first.
    pub(crate) validator_before: Option<syn::Path>,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
}

/// The companion types a table model asked for.
#[derive(Default)]
pub(crate) struct Companions {
    pub(crate) create: Option<syn::Ident>,
    pub(crate) public: Option<syn::Ident>,
    pub(crate) update: Option<syn::Ident>,
}

impl Model {
    /// The fields stored as columns, with their column positions.
    pub(crate) fn columns(&self) -> impl Iterator<Item = (usize, &Field)> {
        self.fields.iter().filter(|f| !f.skip && f.relationship.is_none()).enumerate()
    }

    /// The relationship fields.
    pub(crate) fn relationships(&self) -> impl Iterator<Item = (&Field, &Relationship)> {
        self.fields.iter().filter_map(|f| f.relationship.as_ref().map(|r| (f, r)))
    }

    /// The primary-key fields.
    pub(crate) fn key_fields(&self) -> impl Iterator<Item = (usize, &Field)> {
        self.columns().filter(|(_, f)| f.primary_key)
    }
}
