//! Unit import from CSV and Excel.
