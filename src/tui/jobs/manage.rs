//! The Graduatorie area's changes (the capofila's): each is one service call, then the screen's
//! data reloaded with what the change came to. A refused file of applications comes back with
//! its problems, and the full list is written as CSV next to where casa was started.

use super::Jobs;
use crate::app::Message;
use crate::app::screens::DataMsg;
use crate::app::screens::rankings::{Act, Data, Outcome};
use crate::domain::isbar::points;
use crate::service::notices::FileImport;
use crate::service::{messages, today};
use crate::store::rankings::Correction;
use anyhow::Result;

/// Problems of a refused file shown on the screen (the CSV report has them all).
const SHOWN_PROBLEMS: usize = 200;

impl Jobs {
    /// The notice list with whether the operator may create one.
    pub(super) fn notices_data(&self, outcome: Option<Outcome>) -> Result<Data> {
        let svc = &self.service;
        Ok(Data::Notices {
            notices: svc.notices(None, today())?,
            may_create: svc.own_notice_district().is_some(),
            outcome,
        })
    }

    /// A notice with its rankings and whether the operator may manage it.
    pub(super) fn notice_data(&self, notice_id: i64, outcome: Option<Outcome>) -> Result<Data> {
        let svc = &self.service;
        let v = svc.notice(notice_id, today())?;
        Ok(Data::Rankings {
            manage: svc.may_manage_notice(&v.notice),
            state: v.state,
            notice: Box::new(v.notice),
            rankings: v.rankings,
            unverified: v.unverified,
            outcome,
            conditions: svc.notice_conditions(notice_id)?,
        })
    }

    pub(super) fn rankings_act(&mut self, generation: u64, act: Act) {
        let reply = |data: Result<Data>| match data {
            Ok(d) => DataMsg::Rankings {
                generation,
                data: Box::new(d),
            },
            Err(e) => DataMsg::Failed {
                generation,
                message: messages::failure(&e),
            },
        };
        let info = |text: String| {
            Some(Outcome {
                message: Message::Info(text),
                problems: Vec::new(),
            })
        };
        let refused = |e: &anyhow::Error| {
            Some(Outcome {
                message: Message::Error(messages::failure(e)),
                problems: Vec::new(),
            })
        };
        if let Act::CreateNotice {
            title,
            opens_on,
            closes_on,
        } = &act
        {
            let done = self
                .service
                .create_own_notice(title, *opens_on, *closes_on, None);
            let outcome = match &done {
                Ok(n) => info(format!(
                    "Avviso {} creato: {} alloggi offerti, regole {}",
                    n.id, n.units, n.rule_set
                )),
                Err(e) => refused(e),
            };
            let msg = reply(self.notices_data(outcome));
            return self.send(msg);
        }
        let notice_id = match &act {
            Act::Close { notice_id }
            | Act::Import { notice_id, .. }
            | Act::Compute { notice_id }
            | Act::Correct { notice_id, .. }
            | Act::Finalize { notice_id } => *notice_id,
            Act::CreateNotice { .. } => unreachable!("handled above"),
        };
        let svc = &mut self.service;
        let outcome = match act {
            Act::CreateNotice { .. } => None,
            Act::Close { .. } => match svc.close_notice(notice_id) {
                Ok(n) => info(format!(
                    "Avviso {} chiuso: {} domande",
                    n.id, n.applications
                )),
                Err(e) => refused(&e),
            },
            Act::Import { file, .. } => {
                match svc.import_applications_file(notice_id, &file, None) {
                    Ok(FileImport::Imported(d)) => info(format!(
                        "Avviso {notice_id}: {} domande importate, {} già presenti e invariate",
                        d.new, d.unchanged
                    )),
                    Ok(FileImport::Refused(report)) => {
                        let name = format!("domande_scartate_avviso_{notice_id}.csv");
                        let path = crate::output_file::free_name(
                            &std::path::absolute(&name).unwrap_or_else(|_| name.into()),
                        );
                        let written = report
                            .write_csv(&crate::output_file::Target::new(&path, false))
                            .map(|()| format!(" Elenco completo in {}", path.display()))
                            .unwrap_or_else(|e| {
                                format!(" (elenco completo non scritto: {})", messages::failure(&e))
                            });
                        Some(Outcome {
                            message: Message::Error(format!(
                                "{}: {} righe con problemi; nessuna domanda importata.{written}",
                                file.display(),
                                report.bad_lines()
                            )),
                            problems: report
                                .problems
                                .iter()
                                .take(SHOWN_PROBLEMS)
                                .map(|p| crate::safe_text::clean(&p.to_string()).into_owned())
                                .collect(),
                        })
                    }
                    Err(e) => refused(&e),
                }
            }
            Act::Compute { .. } => match svc.compute_rankings(notice_id, today()) {
                Ok(s) => info(format!(
                    "{} graduatorie provvisorie: {} domande, {} posizioni, {} escluse",
                    s.rankings, s.applications, s.ranked, s.excluded
                )),
                Err(e) => refused(&e),
            },
            Act::Correct {
                code,
                tax_code,
                disability_pct,
                attendance,
                ..
            } => {
                let c = Correction {
                    notice_id,
                    code: &code,
                    tax_code: &tax_code,
                    disability_pct,
                    attendance,
                };
                match svc.correct_ranking(&c, today()) {
                    Ok(c) => {
                        let moves: Vec<String> = c
                            .positions
                            .iter()
                            .map(|p| {
                                format!(
                                    "{} {}→{}",
                                    p["comune"].as_str().unwrap_or_default(),
                                    p["before"],
                                    p["after"]
                                )
                            })
                            .collect();
                        info(format!(
                            "Rettifica della domanda {}: ISBAR {} → {}; posizioni {}",
                            c.code,
                            points(c.isbar_before),
                            points(c.isbar_after),
                            moves.join(", ")
                        ))
                    }
                    Err(e) => refused(&e),
                }
            }
            Act::Finalize { .. } => match svc.finalize_rankings(notice_id, today()) {
                Ok(warnings) if warnings.is_empty() => {
                    info(format!("Graduatorie dell'avviso {notice_id} definitive"))
                }
                Ok(warnings) => Some(Outcome {
                    message: Message::Warning(format!(
                        "Graduatorie dell'avviso {notice_id} definitive. {}",
                        warnings.join(" ")
                    )),
                    problems: Vec::new(),
                }),
                Err(e) => refused(&e),
            },
        };
        let msg = reply(self.notice_data(notice_id, outcome));
        self.send(msg);
    }
}

impl Jobs {
    /// Saves a unit's edit; the answer is the unit reread, or the refusal (the form stays).
    pub(super) fn unit_edit(
        &mut self,
        generation: u64,
        unit_id: i64,
        typed: &[String; 7],
        version: i64,
    ) {
        let typed: [&str; 7] = std::array::from_fn(|i| typed[i].as_str());
        let svc = &mut self.service;
        let done = svc
            .edit_unit(unit_id, &typed, version)
            .and_then(|_| svc.unit(unit_id, false));
        match done {
            Ok(d) => {
                let editable = self.service.may_edit_unit(unit_id);
                self.send(DataMsg::Detail {
                    generation,
                    detail: Box::new(d),
                    editable,
                })
            }
            Err(e) => {
                // A value the domain refuses names its field (the form marks it).
                let field = e
                    .downcast_ref::<crate::domain::unit_edit::EditError>()
                    .map(|x| x.field);
                self.send(DataMsg::UnitEditRefused {
                    generation,
                    field,
                    message: messages::failure(&e),
                })
            }
        }
    }
}
