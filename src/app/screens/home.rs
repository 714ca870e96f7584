//! The home menu: the areas and screens this operator may use. Areas not built yet are not
//! shown.

use super::ScreenOutcome;
use crate::app::keymap::Action;
use crate::app::{Message, Session};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    UnitSearch,
    Buildings,
    Tenants,
    Certification,
    Plans,
    Communications,
    Rankings,
    Occupations,
    Assignments,
    Districts,
    Registrations,
    Keys,
    Audit,
    Extension,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    pub area: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub target: Target,
}

#[derive(Debug)]
pub struct Home {
    pub items: Vec<MenuItem>,
    pub selected: usize,
}

impl Home {
    pub fn new(session: &Session) -> Home {
        let mut items = vec![MenuItem {
            area: "Anagrafe",
            label: "Ricerca alloggi",
            hint: "SCHEDA RICERCA ALLOGGI: filtri, dettaglio, elenchi per il piano",
            target: Target::UnitSearch,
        }];
        // The Regione and the helpdesk read the card of any owner (a picker chooses it).
        if !session.owners.is_empty() || session.scope.sees_everything() {
            items.push(MenuItem {
                area: "Anagrafe",
                label: "Scheda certificazione",
                hint: "SCHEDA CERTIFICAZIONE: totali dell'anagrafe e certificazione",
                target: Target::Certification,
            });
        }
        // After the certification card, which stays the second item (tests and habits).
        items.push(MenuItem {
            area: "Anagrafe",
            label: "Ricerca fabbricati",
            hint: "RICERCA FABBRICATI: ente, comune, codice, indirizzo; gli alloggi del fabbricato",
            target: Target::Buildings,
        });
        items.push(MenuItem {
            area: "Anagrafe",
            label: "Ricerca inquilini",
            hint: "RICERCA INQUILINI: ente, comune, codice fiscale, cognome; l'alloggio del nucleo",
            target: Target::Tenants,
        });
        if session.scope.may_read_rankings() {
            items.push(MenuItem {
                area: "Graduatorie",
                label: "Avvisi e graduatorie",
                hint: "AVVISI E GRADUATORIE: posizioni, spiegazione del punteggio, simulazione",
                target: Target::Rankings,
            });
        }
        if session.scope.may_read_occupations() {
            items.push(MenuItem {
                area: "Banca dati occupanti",
                label: "Ricerca occupazioni",
                hint: "OCCUPAZIONI SENZA TITOLO: ricerca, scheda, chiusura",
                target: Target::Occupations,
            });
        }
        if session
            .scope
            .check(crate::domain::access::Action::ReadAssignments)
            .is_ok()
        {
            items.push(MenuItem {
                area: "Assegnazione",
                label: "Alloggi da assegnare",
                hint: "ASSEGNAZIONE: quote dell'anno, proposte, istruttoria, provvedimento",
                target: Target::Assignments,
            });
        }
        // Administration (phase 1 of the seed), before the plans: the plan list stays the last
        // item (tests and habits go there with End).
        items.push(MenuItem {
            area: "Amministrazione",
            label: "Ambiti territoriali",
            hint: "AMBITI: comuni e capofila con l'atto di nomina",
            target: Target::Districts,
        });
        if session.scope.sees_everything() {
            items.push(MenuItem {
                area: "Amministrazione",
                label: "Richieste registrazione",
                hint: "SCHEDE UTENTE da validare o respingere",
                target: Target::Registrations,
            });
        }
        items.push(MenuItem {
            area: "Amministrazione",
            label: "Chiavi SSH",
            hint: "CHIAVI con cui gli operatori si collegano",
            target: Target::Keys,
        });
        if session.scope.sees_everything() {
            items.push(MenuItem {
                area: "Amministrazione",
                label: "Registro operazioni",
                hint: "AUDIT: chi ha fatto cosa, da dove; verifica della catena",
                target: Target::Audit,
            });
        }
        if !session.scope.sees_everything() && !session.read_only {
            items.push(MenuItem {
                area: "Amministrazione",
                label: "Richiedi abilitazione",
                hint: "RICHIESTA alla Regione: altro ente o altri servizi",
                target: Target::Extension,
            });
        }
        // Before the plan list, which stays the last item (tests and habits go there with End).
        if super::communications::files_communications(&session.scope) {
            items.push(MenuItem {
                area: "Programmazione",
                label: "Comunicazione annuale",
                hint: "SCHEMA COMUNICAZIONE ANNUALE: numeri dell'ente per il piano",
                target: Target::Communications,
            });
        }
        // The plan card is the capofila's work; the Regione and the helpdesk read every plan.
        if super::plans::may_see_plans(&session.scope) {
            items.push(MenuItem {
                area: "Programmazione",
                label: "Piani annuali",
                hint: "SCHEDA PROGRAMMAZIONE ANNUALE: finestra, stato degli enti",
                target: Target::Plans,
            });
        }
        Home { items, selected: 0 }
    }

    pub fn on_action(&mut self, action: Action, session: &Session) -> ScreenOutcome {
        match action {
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                ScreenOutcome::none()
            }
            Action::Down => {
                self.selected = (self.selected + 1).min(self.items.len().saturating_sub(1));
                ScreenOutcome::none()
            }
            Action::Select => match self.items.get(self.selected).map(|i| i.target) {
                Some(target) => super::open_target(target, session),
                None => ScreenOutcome::message(Message::Warning("Nessuna voce".into())),
            },
            _ => ScreenOutcome::none(),
        }
    }
}
