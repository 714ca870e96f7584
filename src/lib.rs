//! casa: the housing registry, annual plans and rankings of Lombardy's public housing.
//!
//! Layers: the front ends (`cli`, `tui` with its state `app` and drawing `ui`) → `service`
//! (who is asking and what they may read and do) → `store` (the only code that speaks SQL) →
//! `domain` (pure rules) → `rules` (the legal parameters). `ssh` is the third front end, the
//! forced command of an operator's key, which runs either of the others as the key's operator.
//! `launch` starts one front end;
//! `config` is what both read from the user's environment. The binary (`src/main.rs`) only
//! calls `launch::main`; everything lives here so that integration tests can drive it.
//!
//! Leaf modules any layer uses for hostile input: `bounded` (reading within limits),
//! `output_file` (writing files safely), `csv_cell` (CSV a spreadsheet cannot run),
//! `safe_text` (text a terminal cannot obey), `italian` (every message in Italian);
//! `crash_point` holds the tests' kill points (a cargo feature the operator's build lacks).

pub mod anpu;
pub mod app;
pub mod bounded;
pub mod cli;
pub mod config;
pub mod crash_point;
pub mod csv_cell;
pub mod demo;
pub mod domain;
pub mod export;
pub mod import;
pub mod italian;
pub mod launch;
pub mod output_file;
pub mod private_files;
pub mod reference;
pub mod rules;
pub mod safe_text;
pub mod service;
pub mod ssh;
pub mod store;
pub mod tui;
pub mod ui;
