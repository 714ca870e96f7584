//! The export of a notice's rankings (xlsx): the published form, or the internal one with the
//! sub-scores.

use crate::domain::access::Action;
use crate::export::rankings::{RankingExportRow, RankingSheet, write_internal, write_published};
use crate::service::{InvalidInput, Service};
use crate::store::notices;
use crate::store::rankings;
use crate::store::rule_sets;
use anyhow::{Result, anyhow};

/// Which form of the rankings to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankingsFile {
    /// Position, ID domanda, ISBAR, indigent, ID alloggio 1 and 2.
    Published,
    /// With the sub-scores and the ISEE.
    Internal,
}

impl Service {
    /// Writes the rankings of a notice the operator reads to `out`; returns how many.
    pub fn export_rankings(
        &self,
        notice_id: i64,
        out: &crate::output_file::Target,
        form: RankingsFile,
    ) -> Result<usize> {
        self.session.check(Action::ReadRankings)?;
        let conn = self.store.conn();
        let n = notices::get(conn, notice_id)?;
        let (_, set) = rule_sets::load_parsed(conn, n.rule_set_id)?;
        let list = self.readable_rankings(&n, None, None)?;
        if list.is_empty() {
            return Err(anyhow!(InvalidInput(format!(
                "l'avviso {notice_id} non ha graduatorie calcolate"
            ))));
        }
        let unverified = rankings::unverified_line(&set);
        let mut sheets = Vec::new();
        for r in &list {
            let rows = rankings::all_entries(conn, r.id)?
                .into_iter()
                .map(|e| RankingExportRow {
                    position: e.position as u32,
                    code: e.code,
                    isbar: e.isbar,
                    indigent: e.indigent,
                    unit1: e.unit1,
                    unit2: e.unit2,
                    family: e.familiari,
                    housing: e.abitative,
                    economic: e.economica,
                    res_region: e.residenza_regione,
                    res_comune: e.residenza_comune,
                    isee_cents: e.isee_cents,
                })
                .collect();
            sheets.push(RankingSheet {
                notice: format!("Avviso {} — {}", n.id, n.title),
                owner: r.owner_name.clone(),
                comune: r.comune.clone(),
                state: r.state.clone(),
                rule_set: n.rule_set.clone(),
                unverified: unverified.clone(),
                rows,
            });
        }
        match form {
            RankingsFile::Internal => write_internal(out, &sheets)?,
            RankingsFile::Published => write_published(out, &sheets)?,
        }
        Ok(sheets.len())
    }
}
