//! Editing one unit from the interface or the command line: its state, its flags (SAT, in
//! avviso, senza barriere, ascensore) and, for units in carenza manutentiva, the works needed
//! and their estimated cost. The typed values are checked here, each error naming its field.

use super::registry::{ServiceType, UnitState, parse_flag};
use super::unit_record::{parse_money_cents, parse_text};
use serde::Serialize;

/// Longest description of the works needed (as the import accepts).
pub const WORKS_MAX_CHARS: usize = 500;

/// The fields an edit may change, in the form's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditField {
    State,
    Sat,
    InNotice,
    BarrierFree,
    Lift,
    Works,
    WorksCost,
}

impl EditField {
    pub const ALL: [EditField; 7] = [
        EditField::State,
        EditField::Sat,
        EditField::InNotice,
        EditField::BarrierFree,
        EditField::Lift,
        EditField::Works,
        EditField::WorksCost,
    ];

    /// The label the form and the messages use.
    pub fn label(self) -> &'static str {
        match self {
            EditField::State => "Stato",
            EditField::Sat => "SAT (SI/NO)",
            EditField::InNotice => "In avviso (SI/NO)",
            EditField::BarrierFree => "Senza barriere (SI/NO)",
            EditField::Lift => "Ascensore (SI/NO)",
            EditField::Works => "Interventi necessari",
            EditField::WorksCost => "Costo stimato interventi (€)",
        }
    }
}

/// A unit's editable values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitEdit {
    #[serde(serialize_with = "state_label")]
    pub state: UnitState,
    pub sat: bool,
    pub in_notice: bool,
    pub barrier_free: bool,
    pub has_lift: bool,
    pub works: Option<String>,
    pub works_cost_cents: Option<i64>,
}

fn state_label<S: serde::Serializer>(s: &UnitState, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.label())
}

/// A refused value: the field and why, in Italian.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError {
    pub field: EditField,
    pub message: String,
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field.label(), self.message)
    }
}

impl std::error::Error for EditError {}

fn yes_no(v: bool) -> &'static str {
    if v { "SI" } else { "NO" }
}

/// An amount in cents as typed back: `1234,50`.
fn cents_text(c: i64) -> String {
    if c % 100 == 0 {
        (c / 100).to_string()
    } else {
        format!("{},{:02}", c / 100, c % 100)
    }
}

impl UnitEdit {
    /// The values as the form shows them, in `EditField::ALL` order.
    pub fn typed(&self) -> [String; 7] {
        [
            self.state.label().to_string(),
            yes_no(self.sat).into(),
            yes_no(self.in_notice).into(),
            yes_no(self.barrier_free).into(),
            yes_no(self.has_lift).into(),
            self.works.clone().unwrap_or_default(),
            self.works_cost_cents.map(cents_text).unwrap_or_default(),
        ]
    }

    /// Parses the typed values (in `EditField::ALL` order) of a unit of `service`; the first
    /// wrong field and why.
    pub fn parse(typed: &[&str; 7], service: ServiceType) -> Result<UnitEdit, EditError> {
        let err = |field, message: String| EditError { field, message };
        let state = UnitState::parse(typed[0]).map_err(|m| err(EditField::State, m))?;
        let flag = |i: usize| {
            let field = EditField::ALL[i];
            parse_flag(typed[i])
                .map_err(|m| err(field, m))?
                .ok_or_else(|| err(field, "indicare SI o NO".into()))
        };
        let sat = flag(1)?;
        let in_notice = flag(2)?;
        let barrier_free = flag(3)?;
        let has_lift = flag(4)?;
        if sat && service != ServiceType::Sap {
            return Err(err(
                EditField::Sat,
                "il SAT è una quota degli alloggi SAP: questo alloggio non è SAP".into(),
            ));
        }
        let works = parse_text(typed[5], WORKS_MAX_CHARS).map_err(|m| err(EditField::Works, m))?;
        let works = (!works.is_empty()).then_some(works);
        let cost = typed[6].trim();
        let works_cost_cents = if cost.is_empty() {
            None
        } else {
            Some(parse_money_cents(cost).map_err(|m| err(EditField::WorksCost, m))?)
        };
        if works_cost_cents.is_some() && works.is_none() {
            return Err(err(
                EditField::Works,
                "indicare gli interventi a cui si riferisce il costo".into(),
            ));
        }
        Ok(UnitEdit {
            state,
            sat,
            in_notice,
            barrier_free,
            has_lift,
            works,
            works_cost_cents,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: [&str; 7]) -> Result<UnitEdit, EditError> {
        UnitEdit::parse(&v, ServiceType::Sap)
    }

    #[test]
    fn typed_values_round_trip() {
        let e = parse([
            "sfitto per carenze manutentive",
            "no",
            "si",
            "NO",
            "SI",
            "Rifacimento bagno",
            "4.250,50",
        ])
        .unwrap();
        assert_eq!(e.state, UnitState::VacantMaintenance);
        assert_eq!(e.works_cost_cents, Some(425_050));
        let typed = e.typed();
        let again: [&str; 7] = std::array::from_fn(|i| typed[i].as_str());
        assert_eq!(parse(again).unwrap(), e);
    }

    #[test]
    fn errors_name_the_field() {
        let base = ["LIBERO", "NO", "NO", "NO", "NO", "", ""];
        let field = |i: usize, v: &str| {
            let mut t = base;
            t[i] = v;
            parse(t).unwrap_err().field
        };
        assert_eq!(field(0, "VUOTO"), EditField::State);
        assert_eq!(field(2, "forse"), EditField::InNotice);
        assert_eq!(field(4, ""), EditField::Lift);
        assert_eq!(field(6, "-3"), EditField::WorksCost);
        // A cost without the works it is for.
        assert_eq!(field(6, "100"), EditField::Works);
        let mut t = base;
        t[1] = "SI";
        assert!(UnitEdit::parse(&t, ServiceType::Sas).is_err());
        assert!(UnitEdit::parse(&t, ServiceType::Sap).is_ok());
    }
}
