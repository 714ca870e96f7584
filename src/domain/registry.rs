//! Coded values of the housing registry: unit states, service types, kinds of body.
//!
//! Each enum has a stable integer code (what the database stores), the Italian label the
//! regional platform shows, and a tolerant parser for what people type or export.

use std::fmt;

/// Normalises a label for comparison: upper case, single spaces, no accents on vowels, and
/// underscores or dashes read as spaces ("sfitto-per carenze" ~ "SFITTO PER CARENZE").
pub fn fold_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for ch in s.trim().chars() {
        let ch = match ch {
            'à' | 'á' | 'À' | 'Á' => 'A',
            'è' | 'é' | 'È' | 'É' => 'E',
            'ì' | 'í' | 'Ì' | 'Í' => 'I',
            'ò' | 'ó' | 'Ò' | 'Ó' => 'O',
            'ù' | 'ú' | 'Ù' | 'Ú' => 'U',
            '_' | '-' | '\t' => ' ',
            c => c.to_ascii_uppercase(),
        };
        if ch == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(ch);
            last_space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $($variant:ident = $code:literal, $label:literal, [$($alias:literal),*];)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Integer code stored in the database.
            pub fn code(self) -> i64 {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: i64) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The label the regional platform shows.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses a label, an alias or the numeric code; the error is an Italian message
            /// listing the accepted values.
            pub fn parse(input: &str) -> Result<Self, String> {
                let folded = fold_label(input);
                $(
                    if folded == fold_label($label) $(|| folded == fold_label($alias))* {
                        return Ok($name::$variant);
                    }
                )+
                if let Ok(code) = folded.parse::<i64>() {
                    if let Some(v) = Self::from_code(code) {
                        return Ok(v);
                    }
                }
                let accepted: Vec<&str> = Self::ALL.iter().map(|v| v.label()).collect();
                Err(format!(
                    "{} non valido: '{}' (valori ammessi: {})",
                    $what,
                    crate::safe_text::excerpt(input.trim()),
                    accepted.join(", ")
                ))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

coded_enum! {
    /// State of a unit (Stato). The first five are the regional platform's; the rest are ours.
    UnitState, "stato" {
        Free = 1, "LIBERO", ["LIBERA"];
        Occupied = 2, "OCCUPATO", ["OCCUPATA"];
        VacantMaintenance = 3, "SFITTO PER CARENZE MANUTENTIVE", ["SFITTO CARENZE MANUTENTIVE", "CARENZE MANUTENTIVE", "SFITTO PER CARENZA MANUTENTIVA"];
        VacantRenovation = 4, "SFITTO PER RISTRUTTURAZIONE", ["SFITTO RISTRUTTURAZIONE", "RISTRUTTURAZIONE"];
        OccupiedWithoutTitle = 5, "OCCUPATO SENZA TITOLO", ["OCCUPATA SENZA TITOLO", "SENZA TITOLO"];
        BeingAssigned = 6, "IN ASSEGNAZIONE", [];
        NewBuild = 7, "NUOVA EDIFICAZIONE", [];
        Unavailable = 8, "NON DISPONIBILE", [];
    }
}

coded_enum! {
    /// Service type of a unit (Destinazione d'uso).
    ServiceType, "destinazione d'uso" {
        Sap = 1, "SERVIZI ABITATIVI PUBBLICI", ["SAP"];
        Sas = 2, "SERVIZI ABITATIVI SOCIALI", ["SAS"];
        OtherResidential = 3, "ALTRO USO RESIDENZIALE", ["ALTRO", "ALTRO USO"];
    }
}

coded_enum! {
    /// Kind of body (Tipo ente) that owns or manages units.
    OwnerKind, "tipo ente" {
        Municipality = 1, "COMUNE", [];
        Aler = 2, "ALER", [];
        AccreditedOperator = 3, "OPERATORE ACCREDITATO", ["OPERATORE"];
        Region = 4, "REGIONE", [];
        Manager = 5, "ENTE GESTORE", ["GESTORE"];
    }
}

impl ServiceType {
    /// Short name used in tables and totals (SAP, SAS, ALTRO).
    pub fn short(self) -> &'static str {
        match self {
            ServiceType::Sap => "SAP",
            ServiceType::Sas => "SAS",
            ServiceType::OtherResidential => "ALTRO",
        }
    }
}

impl UnitState {
    /// States whose units go in the plan's detail lists (DOMAIN.md 3, step 3).
    pub const PLAN_LISTS: [UnitState; 3] = [
        UnitState::Free,
        UnitState::VacantMaintenance,
        UnitState::VacantRenovation,
    ];

    /// Whether a household normally lives in a unit of this state.
    pub fn is_inhabited(self) -> bool {
        matches!(self, UnitState::Occupied | UnitState::OccupiedWithoutTitle)
    }
}

/// Parses a yes/no cell: SI/SÌ/S/1/X/TRUE and NO/N/0/FALSE, or empty for "not given".
pub fn parse_flag(input: &str) -> Result<Option<bool>, String> {
    match fold_label(input).as_str() {
        "" => Ok(None),
        "SI" | "S" | "1" | "X" | "TRUE" | "VERO" | "Y" | "YES" => Ok(Some(true)),
        "NO" | "N" | "0" | "FALSE" | "FALSO" => Ok(Some(false)),
        _ => Err(format!(
            "valore non valido: '{}' (ammessi SI o NO)",
            crate::safe_text::excerpt(input.trim())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for s in UnitState::ALL {
            assert_eq!(UnitState::from_code(s.code()), Some(*s));
            assert_eq!(UnitState::parse(s.label()), Ok(*s));
        }
        for s in ServiceType::ALL {
            assert_eq!(ServiceType::from_code(s.code()), Some(*s));
        }
        for k in OwnerKind::ALL {
            assert_eq!(OwnerKind::parse(k.label()), Ok(*k));
        }
    }

    #[test]
    fn tolerant_parsing() {
        assert_eq!(
            UnitState::parse("  sfitto per carenze  manutentive "),
            Ok(UnitState::VacantMaintenance)
        );
        assert_eq!(UnitState::parse("libera"), Ok(UnitState::Free));
        assert_eq!(UnitState::parse("3"), Ok(UnitState::VacantMaintenance));
        assert_eq!(ServiceType::parse("sap"), Ok(ServiceType::Sap));
        assert_eq!(
            ServiceType::parse("Altro uso residenziale"),
            Ok(ServiceType::OtherResidential)
        );
        let err = UnitState::parse("AFFITTATO").unwrap_err();
        assert!(err.starts_with("stato non valido: 'AFFITTATO'"), "{err}");
        assert!(err.contains("LIBERO"));
        assert!(UnitState::parse("9").is_err());
    }

    #[test]
    fn flags() {
        assert_eq!(parse_flag("Sì"), Ok(Some(true)));
        assert_eq!(parse_flag("no"), Ok(Some(false)));
        assert_eq!(parse_flag(""), Ok(None));
        assert!(parse_flag("forse").is_err());
    }
}
