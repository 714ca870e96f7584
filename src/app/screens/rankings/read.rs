//! Who may read what in the Graduatorie area, and the worker's answers to its queries.

use super::{Data, Query};
use crate::domain::access::{Denied, OperatorScope, OperatorStatus, Role, Service};
use crate::store::notices::{self, Notice};
use crate::store::rankings::{self, RankingInfo};
use crate::store::rule_sets;
use chrono::NaiveDate;
use rusqlite::Connection;

/// Whether the operator may open the Graduatorie area at all: the Regione, the helpdesk, a
/// capofila, or an operator with the AVVISI service on some owner.
pub fn may_read_rankings(scope: &OperatorScope) -> bool {
    scope.may_read_rankings()
}

/// Whether the operator reads every ranking of a notice of `district_id`: the Regione, the
/// helpdesk and the capofila of that district.
pub fn reads_whole_notice(scope: &OperatorScope, district_id: i64) -> bool {
    scope.reads_whole_notice(district_id)
}

/// Whether the operator may read the ranking of `owner_id` in a notice of `district_id`: as
/// above, or with the AVVISI service on that owner.
pub fn may_read_ranking(scope: &OperatorScope, district_id: i64, owner_id: i64) -> bool {
    scope.may_read_ranking(district_id, owner_id)
}

fn denied(scope: &OperatorScope, what: &str) -> anyhow::Error {
    Denied(format!(
        "l'operatore {} non può consultare {what}",
        scope.username
    ))
    .into()
}

fn notice_readable(conn: &Connection, scope: &OperatorScope, n: &Notice) -> anyhow::Result<bool> {
    if reads_whole_notice(scope, n.district_id) {
        return Ok(true);
    }
    if !may_read_rankings(scope) {
        return Ok(false);
    }
    Ok(rankings::list(conn, n.id)?
        .iter()
        .any(|r| may_read_ranking(scope, n.district_id, r.owner_id)))
}

fn readable_notice(conn: &Connection, scope: &OperatorScope, id: i64) -> anyhow::Result<Notice> {
    let n = notices::get(conn, id)?;
    if notice_readable(conn, scope, &n)? {
        Ok(n)
    } else {
        Err(denied(scope, &format!("le graduatorie dell'avviso {id}")))
    }
}

/// Answers a query for `scope` (the store worker calls this on its connection).
pub fn answer(
    conn: &Connection,
    scope: &OperatorScope,
    query: Query,
    today: NaiveDate,
) -> anyhow::Result<Data> {
    if !may_read_rankings(scope) {
        return Err(denied(scope, "le graduatorie"));
    }
    match query {
        Query::Notices => {
            let district = if scope.sees_everything() {
                None
            } else if scope.role == Role::LeadMunicipality
                && scope.grants.iter().all(|(_, s)| *s != Service::Notices)
            {
                scope.district_id
            } else {
                None
            };
            let mut out = Vec::new();
            for n in notices::list(conn, district)? {
                if notice_readable(conn, scope, &n)? {
                    let state = n.effective_state(today);
                    out.push((n, state));
                }
            }
            Ok(Data::Notices(out))
        }
        Query::Rankings { notice_id } => {
            let notice = readable_notice(conn, scope, notice_id)?;
            let rankings = rankings::list(conn, notice_id)?
                .into_iter()
                .filter(|r| may_read_ranking(scope, notice.district_id, r.owner_id))
                .collect();
            let (_, set) = rule_sets::load_parsed(conn, notice.rule_set_id)?;
            Ok(Data::Rankings {
                notice: Box::new(notice),
                rankings,
                unverified: rankings::unverified_line(&set),
            })
        }
        Query::Page {
            ranking_id,
            after,
            before,
            limit,
            select,
        } => {
            let info = readable_ranking(conn, scope, ranking_id)?;
            let limit = limit.max(1);
            let mut rows = rankings::page(conn, ranking_id, after, before, limit)?;
            // Near the start a backward page is short: show a full window from the top.
            if before.is_some() && rows.len() < limit {
                rows = rankings::page(conn, ranking_id, None, None, limit)?;
            }
            Ok(Data::Page {
                rows,
                select,
                entries: info.entries,
            })
        }
        Query::Jump {
            ranking_id,
            code,
            limit,
        } => {
            let info = readable_ranking(conn, scope, ranking_id)?;
            let code = code.trim().to_string();
            if code.is_empty() {
                return Ok(Data::NotFound("Scrivere un ID domanda".into()));
            }
            match rankings::position_of(conn, ranking_id, info.notice_id, &code)? {
                Some(p) => {
                    let limit = limit.max(1) as i64;
                    // The window ends at the last row when the position is near the end.
                    let start = (p - 1).min((info.entries - limit).max(0));
                    let rows = rankings::page(conn, ranking_id, Some(start), None, limit as usize)?;
                    Ok(Data::Page {
                        rows,
                        select: Some(p),
                        entries: info.entries,
                    })
                }
                None => Ok(Data::NotFound(format!(
                    "La domanda {code} non è in questa graduatoria"
                ))),
            }
        }
        Query::Explain { notice_id, code } => {
            let notice = readable_notice(conn, scope, notice_id)?;
            let mut e = rankings::explain(conn, notice_id, &code)?;
            if !reads_whole_notice(scope, notice.district_id) {
                e.positions
                    .retain(|(r, _)| may_read_ranking(scope, notice.district_id, r.owner_id));
                if e.positions.is_empty() {
                    return Err(denied(
                        scope,
                        &format!("la domanda {code}: non è in una graduatoria dei suoi enti"),
                    ));
                }
            }
            Ok(Data::Explanation(Box::new(e)))
        }
        Query::RuleSets { notice_id } => {
            let notice = readable_notice(conn, scope, notice_id)?;
            let mut out = Vec::new();
            for s in rule_sets::list(conn)? {
                if s.id == notice.rule_set_id {
                    continue;
                }
                // Only those that carry the ranking parameters can be compared.
                if let Ok((_, set)) = rule_sets::load_parsed(conn, s.id)
                    && set.ranking().is_ok()
                {
                    out.push(s);
                }
            }
            Ok(Data::RuleSets(out))
        }
        Query::WhatIf {
            notice_id,
            rule_set_id,
        } => {
            let notice = readable_notice(conn, scope, notice_id)?;
            let other = rule_sets::load_parsed(conn, rule_set_id)?;
            let unverified = rankings::unverified_line(&other.1);
            let (label, mut comparisons) = rankings::compare(conn, notice_id, other)?;
            comparisons.retain(|c| may_read_ranking(scope, notice.district_id, c.owner_id));
            Ok(Data::WhatIf {
                label,
                unverified,
                comparisons,
            })
        }
    }
}

fn readable_ranking(
    conn: &Connection,
    scope: &OperatorScope,
    ranking_id: i64,
) -> anyhow::Result<RankingInfo> {
    let info = rankings::info(conn, ranking_id)?;
    // Paging calls this on every window: the notice is read only when the district decides.
    let fast = scope.status == OperatorStatus::Active
        && (scope.sees_everything() || scope.has_grant(info.owner_id, Service::Notices));
    if fast
        || may_read_ranking(
            scope,
            notices::get(conn, info.notice_id)?.district_id,
            info.owner_id,
        )
    {
        Ok(info)
    } else {
        Err(denied(scope, &format!("la graduatoria {ranking_id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(role: Role, district: Option<i64>, grants: Vec<(i64, Service)>) -> OperatorScope {
        OperatorScope {
            username: "op".into(),
            role,
            status: OperatorStatus::Active,
            district_id: district,
            grants,
        }
    }

    #[test]
    fn who_reads_which_ranking() {
        let region = scope(Role::Region, None, vec![]);
        let help = scope(Role::Helpdesk, None, vec![]);
        let capofila = scope(Role::LeadMunicipality, Some(7), vec![]);
        let avvisi = scope(Role::OwnerOperator, None, vec![(3, Service::Notices)]);
        let anagrafe = scope(Role::OwnerOperator, None, vec![(3, Service::Registry)]);
        for s in [&region, &help, &capofila, &avvisi] {
            assert!(may_read_rankings(s), "{s:?}");
        }
        assert!(!may_read_rankings(&anagrafe));
        assert!(may_read_ranking(&region, 7, 9) && may_read_ranking(&help, 7, 9));
        assert!(may_read_ranking(&capofila, 7, 9));
        assert!(!may_read_ranking(&capofila, 8, 9), "another district");
        assert!(may_read_ranking(&avvisi, 8, 3) && !may_read_ranking(&avvisi, 8, 4));
        assert!(!reads_whole_notice(&avvisi, 8));
        let mut pending = region.clone();
        pending.status = OperatorStatus::Pending;
        assert!(!may_read_rankings(&pending) && !may_read_ranking(&pending, 7, 9));
    }
}
