//! Bulk loading for the demo generator.
