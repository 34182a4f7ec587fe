//! The write path of databases without `RETURNING`
//! ([`Capabilities::returning_on_insert`](crate::Capabilities) and `returning_on_update`
//! false): write, then read the row back by its key in the same transaction, so the model
//! the caller gets has the generated key and the server defaults as stored. A generated
//! integer key comes from the connection's last insert id; a key made by an SQL default
//! (a UUID) is computed before the INSERT and sent, as SQLAlchemy "pre-executes" such
//! defaults, since nothing reports it afterwards.

use super::insert::{Omitted, insert_sql};
use super::{Session, key_values};
use crate::backend::Rows;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::query::StatementKind;
use crate::types::{Value, ValueKind};

impl Session {
    /// Inserts `model` (leaving out the `omitted` generated columns) and reads the stored
    /// row back.
    pub(crate) async fn insert_then_read<M: Model>(&mut self, model: &M, omitted: Omitted) -> Result<M> {
        let mut columns: Vec<usize> = omitted.sent(M::META).collect();
        let pk = M::META.primary_key;
        let computed_key = match pk {
            [k] if !columns.contains(k) => self.compute_default(*k, M::META).await?,
            _ => None,
        };
        let (sql, mut params) = match &computed_key {
            Some(value) => {
                columns.push(pk[0]);
                let (sql, mut params) = insert_sql(std::slice::from_ref(model), &[0], &columns, false, self.dialect());
                params[columns.len() - 1] = value.clone();
                (sql, params)
            }
            None => insert_sql(std::slice::from_ref(model), &[0], &columns, false, self.dialect()),
        };
        self.write_sql(&sql, &params).await?;
        let key_generated = pk.iter().any(|k| !columns.contains(k));
        let key = match pk {
            [_] if computed_key.is_some() => vec![params.pop().expect("the computed key was sent")],
            [k] if key_generated => vec![key_value(M::META.columns[*k].ty.kind, self.last_insert_id().await?)?],
            _ if key_generated => {
                return Err(Error::InvalidQuery(format!(
                    "`{}` has a generated column in a composite key: its row cannot be read back without RETURNING",
                    M::META.name
                )));
            }
            _ => key_values(model)?,
        };
        self.read_back(&key)
            .await?
            .ok_or_else(|| Error::Internal(format!("INSERT into `{}` returned no row", M::META.name)))
    }

    /// The value of column `index`'s SQL default (`SELECT <default>`), when that default is
    /// what makes the column's value and the column is not `AUTO_INCREMENT`.
    async fn compute_default(&mut self, index: usize, meta: &'static crate::meta::TableMeta) -> Result<Option<Value>> {
        let column = &meta.columns[index];
        let Some(default) = column.server_default.filter(|_| !column.autoincrement) else { return Ok(None) };
        let sql = format!("SELECT {default}");
        let mut value = None;
        self.query_rows(&sql, &[], Rows::First, |row| {
            value = Some(row.read_value(column.ty.kind, column.name)?);
            Ok(())
        })
        .await?;
        Ok(value)
    }

    /// Runs the `UPDATE` of `save` (`sql`, with `params`) and reads the row back; `None` when
    /// no row matched.
    pub(crate) async fn update_then_read<M: Model>(
        &mut self,
        sql: &str,
        params: &[Value],
        key: &[Value],
    ) -> Result<Option<M>> {
        match self.write_sql(sql, params).await? {
            0 => Ok(None),
            _ => self.read_back(key).await,
        }
    }

    /// The row of `M` with primary key `key`, read in the session's transaction.
    async fn read_back<M: Model>(&mut self, key: &[Value]) -> Result<Option<M>> {
        let sql = self.statement::<M>(StatementKind::Get);
        let mut found = None;
        self.query_rows(sql, key, Rows::First, |row| {
            found = Some(M::decode(row)?);
            Ok(())
        })
        .await?;
        Ok(found)
    }
}

/// A generated key as a value of its column's kind.
fn key_value(kind: ValueKind, id: i64) -> Result<Value> {
    let out_of_range = || Error::InvalidQuery(format!("generated key {id} does not fit the key column"));
    Ok(match kind {
        ValueKind::SmallInt => Value::SmallInt(Some(i16::try_from(id).map_err(|_| out_of_range())?)),
        ValueKind::Int => Value::Int(Some(i32::try_from(id).map_err(|_| out_of_range())?)),
        _ => Value::BigInt(Some(id)),
    })
}
