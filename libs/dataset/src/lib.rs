//! A small typed table and its Parquet and CSV forms.
//!
//! The services pass linked and released data between them as files in the
//! work store. This crate fixes the one in-memory shape they all use, and
//! writes it deterministically: the same table always gives the same bytes.
//!
//! - [`table`]: [`Table`], [`Column`] and [`ColumnKind`], validated on construction.
//! - [`parquet_io`]: Parquet reading and writing through Arrow.
//! - [`csv_io`]: CSV writing (UTF-8, header row).

mod csv_io;
mod error;
mod parquet_io;
mod table;

pub use csv_io::write_csv;
pub use error::DatasetError;
pub use parquet_io::{read_parquet, write_parquet};
pub use table::{Column, ColumnKind, Table};
