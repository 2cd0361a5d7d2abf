//! Whole rows of a PostgreSQL store, every column as stored, for copying a store to another
//! (`migrate.rs`). Imports stream through binary COPY on the transaction's connection (a
//! hundred thousand executions are millions of rows). A frozen transaction locks every table
//! against other writers (readers go on) and may stay idle while the other store is read.

use futures_executor::block_on;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::Row;

use super::postgres::PgStorage;
use super::postgres_url::classify;
use super::{column_list, Cell, Table};
use crate::error::{EngineError, Result};

fn pg(e: tokio_postgres::Error) -> EngineError {
    classify(&e)
}

fn cell_at(table: Table, row: &Row, i: usize) -> Result<Cell> {
    let column = &row.columns()[i];
    let bad = |e: tokio_postgres::Error| EngineError::Storage(format!("{}.{}: {e}", table.name(), column.name()));
    let ty = column.type_();
    Ok(if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i).map_err(bad)?.map_or(Cell::Null, Cell::Int)
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i).map_err(bad)?.map_or(Cell::Null, |v| Cell::Int(v.into()))
    } else if *ty == Type::TEXT || *ty == Type::VARCHAR {
        row.try_get::<_, Option<String>>(i).map_err(bad)?.map_or(Cell::Null, Cell::Text)
    } else {
        return Err(EngineError::Storage(format!("{}.{} has type {ty}; the schema has only integers and text", table.name(), column.name())));
    })
}

/// A cell as a value of the target column's type. A value of the other kind (text in an
/// integer column, which SQLite's dynamic typing would allow) is refused, naming the column.
fn typed(table: Table, column: &str, ty: &Type, cell: &Cell) -> Result<Box<dyn ToSql + Sync + Send>> {
    let int = *ty == Type::INT8 || *ty == Type::INT4;
    let text = *ty == Type::TEXT || *ty == Type::VARCHAR;
    let wrong = |what: &str| EngineError::Storage(format!("{}.{column} holds {what}, but the column is {ty} here", table.name()));
    Ok(match cell {
        Cell::Null if int && *ty == Type::INT4 => Box::new(None::<i32>),
        Cell::Null if int => Box::new(None::<i64>),
        Cell::Null if text => Box::new(None::<String>),
        Cell::Int(v) if *ty == Type::INT4 => Box::new(i32::try_from(*v).map_err(|_| wrong(&format!("{v}, out of range")))?),
        Cell::Int(v) if int => Box::new(*v),
        Cell::Text(s) if text => Box::new(s.clone()),
        Cell::Null => return Err(wrong("a null")),
        Cell::Int(v) => return Err(wrong(&format!("the integer {v}"))),
        Cell::Text(_) => return Err(wrong("text")),
    })
}

impl PgStorage {
    pub(super) fn rows_freeze(&self) -> Result<()> {
        // EXCLUSIVE conflicts with every write and row lock (claims, checkpoints) but not with
        // plain reads. The copy may idle while it reads the other store.
        self.batch(
            "SET LOCAL idle_in_transaction_session_timeout = '60s'; LOCK TABLE executions, operations, events, timers IN EXCLUSIVE MODE",
        )
    }

    pub(super) fn rows_columns(&self, table: Table) -> Result<Vec<String>> {
        let sql = "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position";
        self.query(sql, &[&table.name()])?.iter().map(|r| super::postgres_map::get(r, 0)).collect()
    }

    pub(super) fn rows_export(&self, table: Table, columns: &[String], from_exec: i64, to_exec: i64, limit: usize) -> Result<Vec<Vec<Cell>>> {
        let sql = format!(
            "SELECT {} FROM {} WHERE {key} >= $1 AND {key} <= $2 ORDER BY {} LIMIT $3",
            column_list(columns)?,
            table.name(),
            table.primary_key(),
            key = table.exec_key()
        );
        let limit = limit.min(i64::MAX as usize) as i64;
        let rows = self.query(&sql, &[&from_exec, &to_exec, &limit])?;
        rows.iter().map(|r| (0..columns.len()).map(|i| cell_at(table, r, i)).collect()).collect()
    }

    pub(super) fn rows_import(&self, table: Table, columns: &[String], rows: &[Vec<Cell>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let list = column_list(columns)?;
        let probe = format!("SELECT {list} FROM {} LIMIT 0", table.name());
        let copy = format!("COPY {} ({list}) FROM STDIN BINARY", table.name());
        self.on_client(|client| {
            block_on(async {
                let types: Vec<Type> = client.prepare(&probe).await.map_err(pg)?.columns().iter().map(|c| c.type_().clone()).collect();
                let sink = client.copy_in(&copy).await.map_err(pg)?;
                let mut writer = Box::pin(BinaryCopyInWriter::new(sink, &types));
                for row in rows {
                    let values = row
                        .iter()
                        .zip(columns.iter().zip(&types))
                        .map(|(cell, (column, ty))| typed(table, column, ty, cell))
                        .collect::<Result<Vec<_>>>()?;
                    let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| &**v as &(dyn ToSql + Sync)).collect();
                    writer.as_mut().write(&refs).await.map_err(pg)?;
                }
                writer.as_mut().finish().await.map_err(pg)?;
                Ok(())
            })
        })
    }

    pub(super) fn rows_after_import(&self) -> Result<()> {
        // setval refuses 0: a store whose numbers never started keeps its sequences as they are.
        self.query(
            "SELECT setval(pg_get_serial_sequence('executions', 'id'), max(id)) FROM executions HAVING max(id) > 0",
            &[],
        )?;
        self.query("SELECT setval('executions_change_no', max(change_no)) FROM executions HAVING max(change_no) > 0", &[])?;
        Ok(())
    }
}
