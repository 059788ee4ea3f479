//! The two backends behind one small connection interface, so every query of the store is
//! written once (`?` placeholders; rewritten to `$n` for PostgreSQL).

use std::collections::HashMap;

use crate::{Result, StoreError};

/// Now, in microseconds since the Unix epoch: how every backend stores times.
pub(crate) fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// A value bound to a placeholder or read from a column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    I(i64),
    F(f64),
    T(String),
    N,
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::I(v)
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Self {
        Val::F(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::T(v.to_string())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::T(v)
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Val::N, Into::into)
    }
}

/// One result row, its columns in `SELECT` order.
#[derive(Debug)]
pub(crate) struct Row(pub(crate) Vec<Val>);

impl Row {
    fn col(&self, i: usize) -> Result<&Val> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Corrupt(format!("row has no column {i}")))
    }
    pub(crate) fn opt_i64(&self, i: usize) -> Result<Option<i64>> {
        match self.col(i)? {
            Val::I(v) => Ok(Some(*v)),
            Val::N => Ok(None),
            other => Err(StoreError::Corrupt(format!(
                "column {i}: expected an integer, got {other:?}"
            ))),
        }
    }
    pub(crate) fn i64(&self, i: usize) -> Result<i64> {
        self.opt_i64(i)?
            .ok_or_else(|| StoreError::Corrupt(format!("column {i}: unexpected NULL")))
    }
    pub(crate) fn f64(&self, i: usize) -> Result<f64> {
        match self.col(i)? {
            Val::F(v) => Ok(*v),
            Val::I(v) => Ok(*v as f64),
            other => Err(StoreError::Corrupt(format!(
                "column {i}: expected a number, got {other:?}"
            ))),
        }
    }
    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self.col(i)? {
            Val::T(v) => Ok(Some(v.clone())),
            Val::N => Ok(None),
            other => Err(StoreError::Corrupt(format!(
                "column {i}: expected text, got {other:?}"
            ))),
        }
    }
    pub(crate) fn text(&self, i: usize) -> Result<String> {
        self.opt_text(i)?
            .ok_or_else(|| StoreError::Corrupt(format!("column {i}: unexpected NULL")))
    }
}

/// What the store needs from a database connection.
pub(crate) trait Conn: Send {
    /// Runs several statements without parameters (DDL, `BEGIN`, …).
    fn batch(&mut self, sql: &str) -> Result<()>;
    /// Runs one statement; returns the number of rows changed.
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64>;
    /// Runs one query, handing each row to `f` as it arrives (no buffering of the result).
    fn query(
        &mut self,
        sql: &str,
        params: &[Val],
        f: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()>;
    /// `BEGIN` for a transaction that will write.
    fn begin_write(&mut self) -> Result<()>;
    /// Backend name for messages: `sqlite` or `postgres`.
    fn kind(&self) -> &'static str;
}

// ---------------------------------------------------------------- SQLite

pub(crate) struct Sqlite(pub(crate) rusqlite::Connection);

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match self {
            Val::I(v) => ToSqlOutput::Owned(Value::Integer(*v)),
            Val::F(v) => ToSqlOutput::Owned(Value::Real(*v)),
            Val::T(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Val::N => ToSqlOutput::Owned(Value::Null),
        })
    }
}

impl Conn for Sqlite {
    fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.0.execute_batch(sql)?)
    }
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64> {
        let mut st = self.0.prepare_cached(sql)?;
        Ok(st.execute(rusqlite::params_from_iter(params.iter()))? as u64)
    }
    fn query(
        &mut self,
        sql: &str,
        params: &[Val],
        f: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        use rusqlite::types::ValueRef;
        let mut st = self.0.prepare_cached(sql)?;
        let n = st.column_count();
        let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
        while let Some(r) = rows.next()? {
            let mut vals = Vec::with_capacity(n);
            for i in 0..n {
                vals.push(match r.get_ref(i)? {
                    ValueRef::Null => Val::N,
                    ValueRef::Integer(v) => Val::I(v),
                    ValueRef::Real(v) => Val::F(v),
                    ValueRef::Text(t) => Val::T(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Val::T(String::from_utf8_lossy(b).into_owned()),
                });
            }
            f(Row(vals))?;
        }
        Ok(())
    }
    fn begin_write(&mut self) -> Result<()> {
        // IMMEDIATE takes the write lock now, so a concurrent writer waits (busy_timeout)
        // instead of failing half-way through the transaction.
        self.batch("BEGIN IMMEDIATE")
    }
    fn kind(&self) -> &'static str {
        "sqlite"
    }
}

// ---------------------------------------------------------------- PostgreSQL

pub(crate) struct Postgres {
    pub(crate) client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

impl Postgres {
    pub(crate) fn new(client: postgres::Client) -> Self {
        Postgres {
            client,
            statements: HashMap::new(),
        }
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self.client.prepare(&dollar_placeholders(sql))?;
        self.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

/// `?` → `$1`, `$2`, … (the store's SQL has no `?` inside string literals).
pub(crate) fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

impl postgres::types::ToSql for Val {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        use postgres::types::Type;
        match self {
            Val::I(v) if *ty == Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
            Val::I(v) => v.to_sql(ty, out),
            Val::F(v) => v.to_sql(ty, out),
            Val::T(v) => v.as_str().to_sql(ty, out),
            Val::N => Ok(postgres::types::IsNull::Yes),
        }
    }
    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }
    postgres::types::to_sql_checked!();
}

impl Conn for Postgres {
    fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.client.batch_execute(sql)?)
    }
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64> {
        let st = self.statement(sql)?;
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params
            .iter()
            .map(|p| p as &(dyn postgres::types::ToSql + Sync))
            .collect();
        Ok(self.client.execute(&st, &refs)?)
    }
    fn query(
        &mut self,
        sql: &str,
        params: &[Val],
        f: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        use postgres::fallible_iterator::FallibleIterator;
        use postgres::types::Type;
        let st = self.statement(sql)?;
        let types: Vec<Type> = st.columns().iter().map(|c| c.type_().clone()).collect();
        let mut it = self.client.query_raw(&st, params.iter())?;
        while let Some(r) = it.next()? {
            let mut vals = Vec::with_capacity(types.len());
            for (i, ty) in types.iter().enumerate() {
                let v = match *ty {
                    Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map_or(Val::N, Val::I),
                    Type::INT4 => r
                        .try_get::<_, Option<i32>>(i)?
                        .map_or(Val::N, |v| Val::I(v.into())),
                    Type::INT2 => r
                        .try_get::<_, Option<i16>>(i)?
                        .map_or(Val::N, |v| Val::I(v.into())),
                    Type::FLOAT8 => r.try_get::<_, Option<f64>>(i)?.map_or(Val::N, Val::F),
                    Type::FLOAT4 => r
                        .try_get::<_, Option<f32>>(i)?
                        .map_or(Val::N, |v| Val::F(v.into())),
                    Type::BOOL => r
                        .try_get::<_, Option<bool>>(i)?
                        .map_or(Val::N, |v| Val::I(v.into())),
                    _ => r.try_get::<_, Option<String>>(i)?.map_or(Val::N, Val::T),
                };
                vals.push(v);
            }
            f(Row(vals))?;
        }
        Ok(())
    }
    fn begin_write(&mut self) -> Result<()> {
        self.batch("BEGIN")
    }
    fn kind(&self) -> &'static str {
        "postgres"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders() {
        assert_eq!(
            super::dollar_placeholders("a = ? AND b IN (?, ?)"),
            "a = $1 AND b IN ($2, $3)"
        );
    }
}
