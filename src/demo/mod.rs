//! Demo data generator.
