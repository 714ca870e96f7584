//! Notices (avvisi) and their applications: the notices an operator may read, a notice with
//! its deadlines and rankings, creating and closing notices, importing applications.

use super::{Denied, InvalidInput, Service};
use crate::domain::access::{Action, Role, Service as Grant};
use crate::domain::application::Application;
use crate::domain::ranking::Deadlines;
use crate::store::applications::Imported;
use crate::store::notices::{self, NewNotice, Notice};
use crate::store::rankings::{self, RankingInfo};
use crate::store::rule_sets;
use anyhow::{Result, anyhow};
use chrono::NaiveDate;

/// A notice as `notice show` and the Graduatorie screens read it.
#[derive(Debug, Clone)]
pub struct NoticeView {
    pub notice: Notice,
    /// The state as the dates make it.
    pub state: &'static str,
    /// The ranking deadlines, once the rule set allows computing them.
    pub deadlines: Option<Deadlines>,
    /// The rankings the operator may read.
    pub rankings: Vec<RankingInfo>,
    /// The line that says the rankings used unverified values, if they did.
    pub unverified: Option<String>,
}

/// A notice to create.
#[derive(Debug, Clone, Copy)]
pub struct NewNoticeRequest<'a> {
    pub district_id: i64,
    pub title: &'a str,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Rule set by id or citation; `None`: the one in force on the opening day.
    pub rules: Option<&'a str>,
}

fn denied(who: &str, what: &str) -> anyhow::Error {
    anyhow!(Denied(format!(
        "l'operatore {who} non può consultare {what}"
    )))
}

impl Service {
    /// Whether the operator reads something of notice `n`: every ranking (the Regione, the
    /// helpdesk, its district's capofila) or at least one (AVVISI on one of its owners).
    pub(crate) fn notice_readable(&self, n: &Notice) -> Result<bool> {
        let scope = self.session.scope();
        if scope.reads_whole_notice(n.district_id) {
            return Ok(true);
        }
        if !scope.may_read_rankings() {
            return Ok(false);
        }
        Ok(rankings::list(self.store.conn(), n.id)?
            .iter()
            .any(|r| scope.may_read_ranking(n.district_id, r.owner_id)))
    }

    /// The notice `id`, refused when the operator reads nothing of it.
    pub(crate) fn readable_notice(&self, id: i64) -> Result<Notice> {
        self.session.check(Action::ReadRankings)?;
        let n = notices::get(self.store.conn(), id)?;
        if self.notice_readable(&n)? {
            Ok(n)
        } else {
            Err(denied(
                self.session.username(),
                &format!("le graduatorie dell'avviso {id}"),
            ))
        }
    }

    /// The notices the operator may read (of one district, if given), newest first, each with
    /// its state on `today`.
    pub fn notices(
        &self,
        district: Option<i64>,
        today: NaiveDate,
    ) -> Result<Vec<(Notice, &'static str)>> {
        self.session.check(Action::ReadRankings)?;
        let scope = self.session.scope();
        // A capofila without AVVISI reads only its district's notices: ask only for those.
        let own_district = (scope.role == Role::LeadMunicipality
            && scope.grants.iter().all(|(_, s)| *s != Grant::Notices))
        .then_some(scope.district_id)
        .flatten();
        let district = match (district, own_district) {
            (Some(d), Some(own)) if d != own => return Ok(Vec::new()),
            (Some(d), _) => Some(d),
            (None, own) => own,
        };
        let mut out = Vec::new();
        for n in notices::list(self.store.conn(), district)? {
            if self.notice_readable(&n)? {
                let state = n.effective_state(today);
                out.push((n, state));
            }
        }
        Ok(out)
    }

    /// A notice with its deadlines and the rankings the operator may read.
    pub fn notice(&self, id: i64, today: NaiveDate) -> Result<NoticeView> {
        let notice = self.readable_notice(id)?;
        let conn = self.store.conn();
        let scope = self.session.scope();
        let rankings = rankings::list(conn, id)?
            .into_iter()
            .filter(|r| scope.may_read_ranking(notice.district_id, r.owner_id))
            .collect();
        let (_, set) = rule_sets::load_parsed(conn, notice.rule_set_id)?;
        Ok(NoticeView {
            state: notice.effective_state(today),
            deadlines: rankings::deadlines(conn, id, today).ok(),
            unverified: rankings::unverified_line(&set),
            rankings,
            notice,
        })
    }

    /// The conditions (categories) of a notice's rule set: code and name, for the screens
    /// that show names rather than codes.
    pub fn notice_conditions(&self, notice_id: i64) -> Result<Vec<(String, String)>> {
        self.readable_notice(notice_id)?;
        let conn = self.store.conn();
        let n = notices::get(conn, notice_id)?;
        let (_, set) = rule_sets::load_parsed(conn, n.rule_set_id)?;
        Ok(set
            .ranking()
            .map_err(|e| anyhow!(InvalidInput(e.0)))?
            .conditions
            .iter()
            .map(|c| (c.code.clone(), c.label.clone()))
            .collect())
    }

    /// The codes of the conditions a notice's applications may declare (from its rule set).
    pub fn notice_condition_codes(&self, notice_id: i64) -> Result<Vec<String>> {
        let conn = self.store.conn();
        let n = notices::get(conn, notice_id)?;
        let (_, set) = rule_sets::load_parsed(conn, n.rule_set_id)?;
        let rules = set.ranking().map_err(|e| anyhow!(InvalidInput(e.0)))?;
        // The scoring conditions, and the declarations that put an application in a reserve
        // of the assignments (a member of the police forces, the Comune's other category).
        Ok(rules
            .conditions
            .iter()
            .map(|c| c.code.clone())
            .chain(rules.quotas.declarations.iter().map(|d| d.code.clone()))
            .collect())
    }

    /// Creates a notice of a district (its capofila): the units marked in avviso are offered,
    /// the rule set is recorded.
    pub fn create_notice(&mut self, new: &NewNoticeRequest<'_>) -> Result<Notice> {
        self.session.check_write(Action::ManageNotice {
            district_id: new.district_id,
        })?;
        let actor = self.session.username().to_string();
        self.writable()?.create_notice(
            &actor,
            NewNotice {
                district_id: new.district_id,
                title: new.title,
                opens_on: new.opens_on,
                closes_on: new.closes_on,
                rule_set: new.rules,
            },
        )
    }

    /// Closes a notice (its district's capofila).
    pub fn close_notice(&mut self, id: i64) -> Result<Notice> {
        let district_id = notices::get(self.store.conn(), id)?.district_id;
        self.session
            .check_write(Action::ManageNotice { district_id })?;
        let actor = self.session.username().to_string();
        self.writable()?.close_notice(&actor, id)
    }

    /// Whether the session may import a notice's applications, before the file is read.
    pub fn may_import_applications(&self, notice_id: i64) -> Result<()> {
        let district_id = notices::get(self.store.conn(), notice_id)?.district_id;
        Ok(self
            .session
            .check_write(Action::ManageNotice { district_id })?)
    }

    /// Stores a notice's applications: all of them or none, one audit record.
    pub fn import_applications(
        &mut self,
        notice_id: i64,
        apps: &[Application],
    ) -> Result<Imported> {
        self.may_import_applications(notice_id)?;
        let actor = self.session.username().to_string();
        self.writable()?
            .import_applications(&actor, notice_id, apps)
    }
}

/// What the interface's import of a file of applications came to.
#[derive(Debug)]
pub enum FileImport {
    /// Stored: new and unchanged applications.
    Imported(Imported),
    /// The file was refused, nothing stored: every problem, by line.
    Refused(crate::import::Report),
}

impl Service {
    /// Whether the session may manage notice `n` (its district's capofila, not read-only):
    /// what the interface offers; each change is checked again when asked.
    pub fn may_manage_notice(&self, n: &Notice) -> bool {
        !self.session.read_only()
            && self
                .session
                .check(Action::ManageNotice {
                    district_id: n.district_id,
                })
                .is_ok()
    }

    /// The district whose notices the session may create (its capofila's), if any.
    pub fn own_notice_district(&self) -> Option<i64> {
        let district_id = self.session.scope().district_id?;
        (!self.session.read_only()
            && self
                .session
                .check(Action::ManageNotice { district_id })
                .is_ok())
        .then_some(district_id)
    }

    /// A notice of the operator's own district (the capofila's "Nuovo avviso").
    pub fn create_own_notice(
        &mut self,
        title: &str,
        opens_on: NaiveDate,
        closes_on: NaiveDate,
        rules: Option<&str>,
    ) -> Result<Notice> {
        let Some(district_id) = self.session.scope().district_id else {
            return Err(anyhow!(Denied(
                "solo il capofila di un ambito crea i suoi avvisi".into()
            )));
        };
        self.create_notice(&NewNoticeRequest {
            district_id,
            title,
            opens_on,
            closes_on,
            rules,
        })
    }

    /// Reads a file of applications (.csv or .xlsx) and stores them, all or none: refused
    /// before the file is read when the session may not, refused with the full report when any
    /// line is wrong.
    pub fn import_applications_file(
        &mut self,
        notice_id: i64,
        file: &std::path::Path,
        sheet: Option<&str>,
    ) -> Result<FileImport> {
        self.may_import_applications(notice_id)?;
        self.session.require_writable()?;
        let known = self.notice_condition_codes(notice_id)?;
        match crate::import::applications::read_applications(file, sheet, &known) {
            Ok(apps) => Ok(FileImport::Imported(
                self.import_applications(notice_id, &apps)?,
            )),
            Err(report) => Ok(FileImport::Refused(report)),
        }
    }
}
