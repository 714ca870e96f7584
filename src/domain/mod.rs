//! Pure domain rules: no terminal, no SQL. A test checks that nothing here imports ratatui,
//! crossterm or rusqlite.

pub mod access;
pub mod application;
pub mod assignment;
pub mod audit_chain;
pub mod codice_fiscale;
pub mod communication;
pub mod dates;
pub mod district;
pub mod format;
pub mod isbar;
pub mod occupation;
pub mod operator_key;
pub mod plan;
pub mod ranking;
pub mod registration;
pub mod registry;
pub mod registry_search;
pub mod unit_edit;
pub mod unit_filter;
pub mod unit_record;
