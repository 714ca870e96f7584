//! The use cases that change rankings: computing a closed notice's rankings, correcting one
//! application (rettifica), making them final.

use crate::domain::access::Action;
use crate::service::Service;
use crate::store::rankings::{self, Corrected, Correction, Summary};
use crate::store::{applications, notices};
use anyhow::Result;
use chrono::NaiveDate;

impl Service {
    /// Computes every ranking of a closed notice (its district's capofila), provisional.
    pub fn compute_rankings(&mut self, notice_id: i64, today: NaiveDate) -> Result<Summary> {
        let district_id = notices::get(self.store.conn(), notice_id)?.district_id;
        self.session
            .check_write(Action::ManageNotice { district_id })?;
        let actor = self.session.username().to_string();
        self.writable()?.compute_rankings(&actor, notice_id, today)
    }

    /// Makes a notice's rankings final (its district's capofila), after the corrections window.
    pub fn finalize_rankings(&mut self, notice_id: i64, today: NaiveDate) -> Result<Vec<String>> {
        let district_id = notices::get(self.store.conn(), notice_id)?.district_id;
        self.session
            .check_write(Action::ManageNotice { district_id })?;
        let actor = self.session.username().to_string();
        self.writable()?.finalize_rankings(&actor, notice_id, today)
    }

    /// A correction of one application: the district's capofila, or the operators with the
    /// AVVISI service on every owner whose rankings hold it. An application that is not found
    /// or not ranked is refused by the store, as for anyone.
    pub fn correct_ranking(&mut self, c: &Correction<'_>, today: NaiveDate) -> Result<Corrected> {
        let conn = self.store.conn();
        let notice = notices::get(conn, c.notice_id)?;
        let capofila = self
            .session
            .check(Action::ManageNotice {
                district_id: notice.district_id,
            })
            .is_ok();
        if !capofila && let Some((app_id, _)) = applications::by_code(conn, c.notice_id, c.code)? {
            for r in rankings::rankings_of(conn, app_id)? {
                self.session.check(Action::ManageRankings {
                    owner_id: r.owner_id,
                })?;
            }
        }
        self.session.require_writable()?;
        let actor = self.session.username().to_string();
        self.writable()?.correct_disability(&actor, c, today)
    }
}
