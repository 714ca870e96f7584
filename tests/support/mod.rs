pub mod cli;
pub mod pty;
pub mod query_plans;
