//! casa: the housing registry, annual plans and rankings of Lombardy's public housing.
//!
//! Layers: the front ends (`cli`, `tui` with its state `app` and drawing `ui`) → `service`
//! (who is asking and what they may read and do) → `store` (the only code that speaks SQL) →
//! `domain` (pure rules) → `rules` (the legal parameters). `launch` starts one front end;
//! `config` is what both read from the user's environment. The binary (`src/main.rs`) only
//! calls `launch::main`; everything lives here so that integration tests can drive it.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod export;
pub mod import;
pub mod launch;
pub mod reference;
pub mod rules;
pub mod service;
pub mod store;
pub mod tui;
pub mod ui;
