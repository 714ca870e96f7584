//! Validation of a document against anpu-occupazioni.xsd before casa writes it.
//!
//! The XSD itself is the schema: `xmlschema` (pure Rust, no C library, so the program still
//! builds on a machine without libxml2) parses the embedded XSD and validates the document
//! against it. Measured against libxml2 (`xmllint --schema`) on this schema, xmlschema 0.0.14
//! misses four kinds of error: an undeclared attribute, a root element outside the namespace,
//! a namespace-qualified child (the XSD's local elements are unqualified) and `\w` taking `_`.
//! So the document is also read back by `read`, which refuses all four; the cadastral codes the
//! pattern `\w{4}` checks are ours to check more strictly anyway (a letter and three digits).
//! The test suite validates every export with xmllint as well.

use super::read::{LIMITS, read};
use std::sync::OnceLock;

fn schema() -> Result<&'static xmlschema::Schema, String> {
    static SCHEMA: OnceLock<Result<xmlschema::Schema, String>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            xmlschema::parse_schema(super::XSD)
                .map_err(|e| format!("schema anpu-occupazioni.xsd non leggibile: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Every reason `xml` does not conform to anpu-occupazioni.xsd (empty: it conforms).
pub fn violations(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let parsed = read(xml.as_bytes(), &LIMITS);
    out.extend(parsed.problems.iter().map(ToString::to_string));
    let schema = match schema() {
        Ok(s) => s,
        Err(e) => {
            out.push(e);
            return out;
        }
    };
    match oxml::parse(xml) {
        Err(e) => out.push(format!("documento XML non leggibile ({e})")),
        Ok(doc) => {
            let report = xmlschema::validate(&doc, schema);
            out.extend(
                report
                    .violations
                    .iter()
                    .map(|v| format!("non conforme allo schema, {}: {}", v.path, v.message)),
            );
        }
    }
    out
}

/// A document that does not conform, with every reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotConforming(pub Vec<String>);

impl std::fmt::Display for NotConforming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "il documento non è conforme ad anpu-occupazioni.xsd, nulla è stato scritto: {}",
            self.0.join("; ")
        )
    }
}

impl std::error::Error for NotConforming {}

/// `Ok` when `xml` conforms to the XSD.
pub fn check(xml: &str) -> Result<(), NotConforming> {
    let v = violations(xml);
    if v.is_empty() {
        Ok(())
    } else {
        Err(NotConforming(v))
    }
}
