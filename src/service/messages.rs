//! The messages operators read about what the service did or refused, in one place: the
//! command line prints them, the interface shows them on its message line.

use crate::export::unit_lists::ListsSummary;
use crate::store::certification::Certification;
use crate::store::plan_marks::MarkOutcome;
use crate::store::plans::Changed;
use std::path::Path;

/// Why a call failed, with its causes ("…: …"), in Italian whatever the cause (the system's
/// and SQLite's own words translated), cleaned of control characters and capped.
pub fn failure(e: &anyhow::Error) -> String {
    crate::italian::render(e)
}

/// A plan after a lifecycle action.
pub fn plan_changed(c: &Changed) -> String {
    format!(
        "Piano {} ({} {}): stato {}, fine comunicazione {}",
        c.plan.id,
        c.plan.district_code,
        c.plan.year,
        c.plan.state,
        c.plan.window_end.format("%d/%m/%Y")
    )
}

/// A plan just created.
pub fn plan_created(c: &Changed) -> String {
    format!(
        "Creato il piano {} ({} {}), stato {}",
        c.plan.id, c.plan.district_code, c.plan.year, c.plan.state
    )
}

/// `text` followed by the change's warnings, when it has some.
pub fn with_warnings(mut text: String, c: &Changed) -> String {
    if !c.warnings.is_empty() {
        text.push_str(". ");
        text.push_str(&c.warnings.join(". "));
    }
    text
}

/// A plan's report written.
pub fn plan_report_written(out: &Path) -> String {
    format!("Report scritto in {}", out.display())
}

/// A plan's export written.
pub fn plan_exported(out: &Path) -> String {
    format!("Piano esportato in {}", out.display())
}

/// A certification recorded, short (the interface's message line).
pub fn certified(c: &Certification) -> String {
    format!(
        "{} registrata il {} ({} alloggi)",
        c.kind.label(),
        c.at,
        c.totals.units
    )
}

/// A certification recorded, with every total (the command line).
pub fn certified_in_full(c: &Certification) -> String {
    format!(
        "{} registrata il {} da {}: {} fabbricati, {} alloggi, {} nuclei, {} inquilini",
        c.kind.label(),
        c.at,
        c.operator,
        c.totals.buildings,
        c.totals.units,
        c.totals.households,
        c.totals.tenants
    )
}

/// Units marked for a plan (or the mark removed), as the interface says it.
pub fn marked(o: &MarkOutcome, undo: bool) -> String {
    format!(
        "{} per il piano {}: {} alloggi ({} modificati)",
        if undo {
            "Marcatura tolta"
        } else {
            "Alloggi marcati"
        },
        o.year,
        o.matched,
        o.changed
    )
}

/// Units marked for a plan (or the mark removed), as the command line says it.
pub fn marked_in_full(o: &MarkOutcome, undo: bool) -> String {
    if undo {
        format!(
            "Tolta la marcatura per il piano {} a {} alloggi",
            o.year, o.changed
        )
    } else {
        format!(
            "Marcati per il piano {}: {} alloggi ({} già marcati)",
            o.year,
            o.matched,
            o.matched - o.changed
        )
    }
}

/// The plan's detail lists exported, by list.
pub fn lists_exported(out: &Path, s: &ListsSummary) -> String {
    format!(
        "Esportati in {}: {} liberi, {} sfitti per carenze, {} sfitti per ristrutturazione",
        out.display(),
        s.free,
        s.vacant_maintenance,
        s.vacant_renovation
    )
}

/// The plan's detail lists exported, with the states in full (the command line).
pub fn lists_exported_in_full(out: &Path, s: &ListsSummary) -> String {
    format!(
        "Esportati {} alloggi in {}: LIBERO {}, SFITTO PER CARENZE MANUTENTIVE {}, SFITTO PER RISTRUTTURAZIONE {}",
        s.total(),
        out.display(),
        s.free,
        s.vacant_maintenance,
        s.vacant_renovation
    )
}

/// An export that failed.
pub fn export_failed(e: &anyhow::Error) -> String {
    format!("Esportazione non riuscita: {}", failure(e))
}

/// A second export asked while one runs.
pub const EXPORT_RUNNING: &str = "un'esportazione è già in corso: attendere che finisca";

/// A registration request filed.
pub fn registration_filed(r: &crate::store::registrations::Request) -> String {
    format!(
        "Richiesta {} inviata: {} per {}, servizi {}; in attesa di validazione da parte della Regione",
        r.id,
        r.username,
        r.owner_name,
        r.services.join(", ")
    )
}

/// The Regione's decision on a request.
pub fn registration_decided(r: &crate::store::registrations::Request) -> String {
    match r.status() {
        crate::domain::registration::Status::Validated => format!(
            "Richiesta {} validata: {} abilitato su {} per {}",
            r.id,
            r.username,
            r.owner_name,
            r.services.join(", ")
        ),
        _ => format!(
            "Richiesta {} respinta: {}",
            r.id,
            r.reason.as_deref().unwrap_or("")
        ),
    }
}

/// Capofila operators who stopped being so when the capofila changed.
pub fn capofila_set(code: &str, comune: &str, demoted: &[String]) -> String {
    let mut t = format!("Ambito {code}: capofila ora {comune}");
    if !demoted.is_empty() {
        t.push_str(&format!(
            "; non più operatori del capofila: {}",
            demoted.join(", ")
        ));
    }
    t
}

/// The audit chain verified.
pub fn audit_verified(v: &crate::store::audit::Verification) -> (bool, String) {
    match (&v.problem, &v.head) {
        (Some(p), _) => (false, format!("Registro audit NON integro: {p}")),
        (None, Some(h)) => (
            true,
            format!(
                "Registro audit integro: {} record verificati, ultimo il {}",
                v.checked, h.id
            ),
        ),
        (None, None) => (true, "Registro audit vuoto".into()),
    }
}
