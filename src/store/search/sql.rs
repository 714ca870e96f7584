//! SQL text for the search: the conditions of a query, always with bound parameters.

use super::cache::Dim;
use super::plan::Query;
use rusqlite::types::Value;

/// A statement being built: its text and the values bound to `?1`, `?2`, ….
#[derive(Debug, Default, Clone)]
pub struct Sql {
    pub text: String,
    pub params: Vec<Value>,
}

impl Sql {
    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Appends a placeholder for `v` written `+?N` (see the module comment of `plan`).
    pub fn bind(&mut self, v: Value) {
        self.params.push(v);
        self.text.push_str(&format!("+?{}", self.params.len()));
    }

    /// `col = v` for one value, `col IN (…)` for several.
    pub fn one_of(&mut self, col: &str, values: &[Value]) {
        self.push(col);
        if let [v] = values {
            self.push(" = ");
            self.bind(v.clone());
        } else {
            self.push(" IN (");
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    self.push(", ");
                }
                self.bind(v.clone());
            }
            self.push(")");
        }
    }
}

/// The conditions a driver does not already guarantee.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Consumed {
    pub unit_id: bool,
    pub buildings: bool,
    pub text: bool,
    pub dims: Vec<Dim>,
}

/// Appends ` AND <condition>` on the unit row `u` for every filter of `q` not consumed by the
/// driver. The columns are written `+u.col`: the unary plus keeps SQLite from using these
/// conditions to look rows up in the driver's index (an `id IN (…)` or `state IN (…)` turned
/// into lookups would replace the keyset range, and each page would restart from the top).
pub fn conditions(sql: &mut Sql, q: &Query, consumed: Consumed) {
    if let (Some(id), false) = (q.unit_id, consumed.unit_id) {
        sql.push(" AND +u.id = ");
        sql.bind(Value::Integer(id));
    }
    if let (Some(code), false) = (&q.building_code, consumed.buildings) {
        sql.push(" AND +u.building_id IN (SELECT b.id FROM building b WHERE b.code = ");
        sql.bind(Value::Text(code.clone()));
        sql.push(" COLLATE NOCASE)");
    }
    if q.text.is_some() && !consumed.text {
        sql.push(" AND +u.id IN (SELECT id FROM temp.search_hits)");
    }
    dims(sql, q, &consumed.dims, "+u.");
}

/// The conditions of the tallied dimensions (owner, comune, province, state, service, notice,
/// plan year), on columns prefixed with `p` (`+u.` for residual conditions on units, `t.` on
/// unit_tally, where plan_year 0 means "not marked").
pub fn dims(sql: &mut Sql, q: &Query, skip: &[Dim], p: &str) {
    if let (Some(owners), true) = (&q.owners, !skip.contains(&Dim::Owner)) {
        sql.push(" AND ");
        let values: Vec<Value> = owners.iter().map(|o| Value::Integer(*o)).collect();
        sql.one_of(&format!("{p}owner_id"), &values);
    }
    if let (Some(i), true) = (&q.istat, !skip.contains(&Dim::Istat)) {
        sql.push(&format!(" AND {p}istat_code = "));
        sql.bind(Value::Text(i.clone()));
    }
    if let (Some(v), true) = (&q.province, !skip.contains(&Dim::Province)) {
        sql.push(&format!(" AND {p}province = "));
        sql.bind(Value::Text(v.clone()));
    }
    if !q.states.is_empty() && !skip.contains(&Dim::State) {
        sql.push(" AND ");
        let values: Vec<Value> = q.states.iter().map(|s| Value::Integer(*s)).collect();
        sql.one_of(&format!("{p}state"), &values);
    }
    if let (Some(s), true) = (q.service, !skip.contains(&Dim::Service)) {
        sql.push(&format!(" AND {p}service = "));
        sql.bind(Value::Integer(s));
    }
    match q.in_notice {
        Some(true) if !skip.contains(&Dim::Notice) => sql.push(&format!(" AND {p}in_notice = 1")),
        Some(false) => sql.push(&format!(" AND {p}in_notice <> 1")),
        _ => {}
    }
    if let (Some(y), true) = (q.plan_year, !skip.contains(&Dim::Plan)) {
        sql.push(&format!(" AND {p}plan_year = "));
        sql.bind(Value::Integer(y as i64));
    }
}
