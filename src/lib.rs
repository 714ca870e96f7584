//! casa: the housing registry, annual plans and rankings of Lombardy's public housing.
//!
//! The binary (`src/main.rs`) only parses the command line; everything lives here so that
//! integration tests can drive it.

pub mod app;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod export;
pub mod import;
pub mod paths;
pub mod reference;
pub mod rules;
pub mod store;
pub mod term;
pub mod tui;
pub mod ui;
pub mod worker;
mod worker_jobs;
