//! The write path of databases without `RETURNING`
//! ([`Capabilities::returning_on_insert`](crate::Capabilities) and `returning_on_update`
//! false): write, then read the row back by its key in the same transaction, so the model
//! the caller gets has the generated key and the server defaults as stored. A generated
//! integer key comes from the connection's last insert id; a key made by an SQL default
//! (a UUID) is computed before the INSERT and sent, as SQLAlchemy "pre-executes" such
//! defaults, since nothing reports it afterwards.
//!
//! `add` reads nothing back when the database has nothing to add to the row: it leaves no
//! column to the database but a generated key, and every value it sends is stored as it is
//! ([`Omitted::scan`]). The model sent, given the insert id as its key, is then
//! the row, as SQLAlchemy assumes on MySQL; a round trip less per `add`.

use super::insert::{Omitted, insert_sql};
use super::{Session, key_values};
use sea_query::ExprTrait;

use crate::backend::Rows;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::query::StatementKind;
use crate::row::RowReader;
use crate::types::{Value, ValueKind};

/// What [`Session::insert_then_read`] gives back.
pub(crate) enum Inserted<M> {
    /// The row as stored, read back.
    Read(M),
    /// The row is stored as sent: the model is the row, once given its generated key (the
    /// key column and its value), if the database generated one.
    AsSent(Option<(usize, Value)>),
}

impl Session {
    /// Inserts `model` (leaving out the `omitted` generated columns, sending `sent`: the
    /// values of the others) and reads the stored row back, unless it is stored `as_sent`
    /// ([`Omitted::scan`]).
    pub(crate) async fn insert_then_read<M: Model>(
        &mut self,
        model: &M,
        omitted: Omitted,
        sent: Vec<Value>,
        as_sent: bool,
    ) -> Result<Inserted<M>> {
        let pk = M::META.primary_key;
        let computed_key = match pk {
            // Boxed: a key made by an SQL default (a UUID) is the rare case.
            [k] if computed_first(&M::META.columns[*k]) && omitted.omits(M::META, *k) => {
                Box::pin(self.compute_default(*k, M::META)).await?
            }
            _ => None,
        };
        // The INSERT made once per shape of the model where the dialect itself has no
        // RETURNING (its renderer leaves the clause out); an engine told not to use a
        // RETURNING its dialect has, or a key computed first, renders its own.
        let mut params = sent;
        let rendered;
        let sql: &str = if computed_key.is_none() && !self.dialect().capabilities().returning_on_insert {
            self.statement::<M>(StatementKind::Insert { omitted })
        } else {
            let mut columns: Vec<usize> = omitted.sent(M::META).collect();
            if computed_key.is_some() {
                columns.push(pk[0]);
            }
            let sql;
            (sql, params) = insert_sql(std::slice::from_ref(model), &[0], &columns, false, self.dialect());
            if let Some(value) = &computed_key {
                params[columns.len() - 1] = value.clone();
            }
            rendered = sql;
            &rendered
        };
        write_sql!(self, sql, &params)?;
        let key_generated = computed_key.is_none() && pk.iter().any(|&k| omitted.omits(M::META, k));
        let generated = match pk {
            [_] if key_generated => {
                let id = match self.last_insert_id_now() {
                    Some(id) => id?,
                    None => self.last_insert_id().await?,
                };
                Some(generated_key::<M>(id)?)
            }
            _ => None,
        };
        if as_sent {
            return Ok(Inserted::AsSent(generated));
        }
        let key = match (pk, generated) {
            (_, Some((_, value))) => smallvec::smallvec![value],
            ([_], None) if computed_key.is_some() => {
                smallvec::smallvec![params.pop().expect("the computed key was sent")]
            }
            (_, None) if key_generated => {
                return Err(Error::InvalidQuery(format!(
                    "`{}` has a generated column in a composite key: its row cannot be read back without RETURNING",
                    M::META.name
                )));
            }
            (_, None) => key_values(model)?,
        };
        let mut found = None;
        read_rows!(self, self.statement::<M>(StatementKind::Get), &key, Rows::First, |row: &mut RowReader<'_>| {
            found = Some(M::decode(row)?);
            Ok(())
        })?;
        found
            .map(Inserted::Read)
            .ok_or_else(|| Error::Internal(format!("INSERT into `{}` returned no row", M::META.name)))
    }

    /// `add_all` without `RETURNING`: one multi-row `INSERT` per chunk, then one `SELECT`
    /// of the chunk's rows by key. Generated keys are known only where the database
    /// promises consecutive keys to one statement (from the first one, the insert id);
    /// otherwise, and for keys made by an SQL default, rows go one by one.
    pub(crate) async fn add_all_reading_back<M: Model>(&mut self, models: Vec<M>) -> Result<Vec<M>> {
        let pk = M::META.primary_key;
        let mut stored: Vec<Option<M>> = (0..models.len()).map(|_| None).collect();
        let mut consecutive_keys = None;
        for (omitted, members) in Omitted::groups(&models) {
            let key_generated = pk.iter().any(|&k| omitted.omits(M::META, k));
            let batched = match pk {
                [_] if !key_generated => true,
                [k] if M::META.columns[*k].autoincrement => match consecutive_keys {
                    Some(known) => known,
                    None => *consecutive_keys.insert(self.consecutive_insert_ids().await?),
                },
                _ => false,
            };
            if !batched || members.len() == 1 {
                for i in members {
                    let row = self.insert_one(&models[i]).await?;
                    self.loaded.remember(&row);
                    stored[i] = Some(row);
                }
                continue;
            }
            let columns: Vec<usize> = omitted.sent(M::META).collect();
            for chunk in members.chunks(self.rows_per_insert(columns.len())) {
                let (sql, params) = insert_sql::<M>(&models, chunk, &columns, false, self.dialect());
                if let Err(err) = self.write_sql(&sql, &params).await {
                    let models = chunk.iter().map(|&i| &models[i]);
                    return Err(crate::backend::name_foreign_key_for_write(self, models, err).await);
                }
                let keys: Vec<Value> = if key_generated {
                    let first = self.last_insert_id().await?;
                    let kind = M::META.columns[pk[0]].ty.kind;
                    (first..first + chunk.len() as i64).map(|id| key_value(kind, id)).collect::<Result<_>>()?
                } else {
                    chunk.iter().map(|&i| models[i].column_value(pk[0])).collect()
                };
                let rows = self.read_back_many::<M>(keys).await?;
                self.keep_inserted(&models, chunk, rows, omitted, &mut stored)?;
            }
        }
        Ok(stored.into_iter().flatten().collect())
    }

    /// Whether one multi-row `INSERT` gets consecutive generated keys on this database
    /// ([`Capabilities::consecutive_keys_check`](crate::Capabilities)), asked once per
    /// connection: the primary's, in the transaction the rows go in.
    async fn consecutive_insert_ids(&mut self) -> Result<bool> {
        let Some(sql) = self.capabilities().consecutive_keys_check else { return Ok(false) };
        self.begin().await?;
        if let Some(known) = self.conn().await?.consecutive_keys() {
            return Ok(known);
        }
        let mut consecutive = false;
        self.query_rows(sql, &[], Rows::First, |row| {
            consecutive = row.read_value(crate::types::ValueKind::BigInt, "consecutive")? == Value::BigInt(Some(1));
            Ok(())
        })
        .await?;
        self.conn().await?.remember_consecutive_keys(consecutive);
        Ok(consecutive)
    }

    /// The rows of `M` whose one-column primary key is in `keys`.
    async fn read_back_many<M: Model>(&mut self, keys: Vec<Value>) -> Result<Vec<M>> {
        let mut q = sea_query::Query::select();
        q.from(sea_query::Alias::new(M::META.name))
            .columns(M::META.columns.iter().map(|c| sea_query::Alias::new(c.name)))
            .and_where(
                sea_query::Expr::col(sea_query::Alias::new(M::META.columns[M::META.primary_key[0]].name)).is_in(keys),
            );
        let (sql, params) = self.dialect().render(&q);
        let mut rows = Vec::new();
        self.query_rows(&sql, &params, Rows::All, |row| {
            rows.push(M::decode(row)?);
            Ok(())
        })
        .await?;
        Ok(rows)
    }

    /// The value of column `index`'s SQL default (`SELECT <default>`), when that default is
    /// what makes the column's value and the column is not `AUTO_INCREMENT`.
    async fn compute_default(&mut self, index: usize, meta: &'static crate::meta::TableMeta) -> Result<Option<Value>> {
        let column = &meta.columns[index];
        let Some(default) = column.server_default.filter(|_| computed_first(column)) else { return Ok(None) };
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
        if write_sql!(self, sql, params)? == 0 {
            return Ok(None);
        }
        // The row read back in the session's transaction.
        let mut found = None;
        read_rows!(self, self.statement::<M>(StatementKind::Get), key, Rows::First, |row: &mut RowReader<'_>| {
            found = Some(M::decode(row)?);
            Ok(())
        })?;
        Ok(found)
    }
}

/// Whether a key column left out of an `INSERT` has its value computed first
/// ([`Session::compute_default`]): its SQL default makes it, and it is not `AUTO_INCREMENT`.
fn computed_first(column: &crate::meta::ColumnMeta) -> bool {
    column.server_default.is_some() && !column.autoincrement
}

/// The position of `M`'s one key column and its value from the insert id `id`: the key the
/// database generated for the row just inserted.
pub(super) fn generated_key<M: Model>(id: i64) -> Result<(usize, Value)> {
    let k = M::META.primary_key[0];
    Ok((k, key_value(M::META.columns[k].ty.kind, id)?))
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
