//! Whole rows of a SQLite store, every column as stored, for copying a store to another
//! (`migrate.rs`). The write transaction (BEGIN IMMEDIATE) already keeps other writers out.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{params, ToSql};

use super::sqlite::SqliteStorage;
use super::{column_list, plain_identifier, Cell, Table};
use crate::error::{EngineError, Result};

impl ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Cell::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Cell::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Cell::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

fn cell(table: Table, column: &str, v: ValueRef) -> Result<Cell> {
    match v {
        ValueRef::Null => Ok(Cell::Null),
        ValueRef::Integer(i) => Ok(Cell::Int(i)),
        ValueRef::Text(t) => Ok(Cell::Text(String::from_utf8_lossy(t).into_owned())),
        other => Err(EngineError::Storage(format!("{}.{column} holds a {:?} value; the schema has only integers and text", table.name(), other.data_type()))),
    }
}

impl SqliteStorage {
    pub(super) fn rows_columns(&self, table: Table) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
        let rows = stmt.query_map([table.name()], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub(super) fn rows_export(&self, table: Table, columns: &[String], from_exec: i64, to_exec: i64, limit: usize) -> Result<Vec<Vec<Cell>>> {
        let sql = format!(
            "SELECT {} FROM {} WHERE {key} >= ?1 AND {key} <= ?2 ORDER BY {} LIMIT ?3",
            column_list(columns)?,
            table.name(),
            table.primary_key(),
            key = table.exec_key()
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![from_exec, to_exec, limit.min(i64::MAX as usize) as i64])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let row = columns.iter().enumerate().map(|(i, c)| cell(table, c, r.get_ref(i)?)).collect::<Result<Vec<_>>>()?;
            out.push(row);
        }
        Ok(out)
    }

    pub(super) fn rows_import(&self, table: Table, columns: &[String], rows: &[Vec<Cell>]) -> Result<()> {
        for c in columns {
            plain_identifier(c)?;
        }
        let marks = (1..=columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
        let sql = format!("INSERT INTO {} ({}) VALUES ({marks})", table.name(), column_list(columns)?);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        for row in rows {
            stmt.execute(rusqlite::params_from_iter(row.iter()))?;
        }
        Ok(())
    }
}
