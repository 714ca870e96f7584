//! How a call can be refused, for the front ends to tell apart (the command line maps them to
//! its exit codes): not allowed (`Denied`, exit 3), a value or file the user gave that is wrong
//! or a business rule that refuses it (`InvalidInput` and `Refused`, exit 4).

pub use crate::domain::access::Denied;
pub use crate::store::certification::Refused;

/// An error in what the user gave us (a file, a value): exit code 4.
#[derive(Debug)]
pub struct InvalidInput(pub String);

impl std::fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidInput {}

/// Whether `e` is a refusal for lack of permission (exit 3).
pub fn is_denied(e: &anyhow::Error) -> bool {
    e.downcast_ref::<Denied>().is_some() || e.downcast_ref::<crate::store::RateLimited>().is_some()
}

/// Whether `e` refuses what the user gave (exit 4): a value, a file, or a business rule.
pub fn is_invalid_input(e: &anyhow::Error) -> bool {
    e.downcast_ref::<InvalidInput>().is_some()
        || e.downcast_ref::<Refused>().is_some()
        || e.downcast_ref::<crate::domain::unit_edit::EditError>()
            .is_some()
        || e.downcast_ref::<crate::store::backup::BadFile>().is_some()
        || e.downcast_ref::<crate::store::Missing>().is_some()
        || e.downcast_ref::<crate::output_file::Refused>().is_some()
        || e.downcast_ref::<crate::bounded::Refused>().is_some()
        || e.downcast_ref::<crate::domain::unit_filter::FilterError>()
            .is_some()
        || e.downcast_ref::<crate::domain::occupation::filter::FieldError>()
            .is_some()
        || e.downcast_ref::<crate::domain::registry_search::FieldError>()
            .is_some()
        || e.downcast_ref::<crate::store::occupations::Invalid>()
            .is_some()
        || e.downcast_ref::<super::occupations::ImportRefused>()
            .is_some()
}

/// `e` with business refusals turned into `InvalidInput` (same text), for callers that report
/// them as the user's input problem.
pub fn refused_as_invalid(e: anyhow::Error) -> anyhow::Error {
    match e.downcast_ref::<Refused>() {
        Some(r) => anyhow::anyhow!(InvalidInput(r.0.clone())),
        None => e,
    }
}
