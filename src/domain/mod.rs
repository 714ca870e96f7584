//! Pure domain rules: no terminal, no database. A test checks that nothing here imports the
//! terminal or database crates.

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
