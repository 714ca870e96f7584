//! Units and buildings: writes from the importer and editing.
