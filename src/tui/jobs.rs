//! What the worker does with each request of the screens: the matching service call, its
//! answer as a message. Nothing else is decided here: permissions, paging rules, masking and
//! the operators' messages are the service's.

mod assignments;

use super::counter::{Counter, Interrupter};
use super::exporter::Exporter;
use crate::app::screens::rankings::{Data, Query};
use crate::app::screens::{DataMsg, Request};
use crate::app::{Message, Msg};
use crate::domain::unit_filter::{FilterError, Sort};
use crate::export::plan_export::PlanFile;
use crate::service::communications::FormSave;
use crate::service::rankings::Jump;
use crate::service::units::Export;
use crate::service::{Refused, Service, is_interrupted, messages, today};
use std::sync::mpsc;

mod manage;
mod occupations;

pub struct Jobs {
    pub(super) service: Service,
    out: mpsc::Sender<Msg>,
    counter: Counter,
    exporter: Exporter,
}

impl Jobs {
    pub fn new(service: Service, out: mpsc::Sender<Msg>) -> Jobs {
        let counter = Counter::spawn(service.reopener(), out.clone());
        Jobs {
            service,
            out,
            counter,
            exporter: Exporter::default(),
        }
    }

    /// What stops the running count.
    pub fn count_interrupter(&self) -> Interrupter {
        self.counter.interrupter()
    }

    /// Leaving casa: stop a running export and wait for it to remove its partial file.
    pub fn finish(&mut self) {
        self.exporter.finish();
    }

    pub(super) fn send(&self, d: DataMsg) {
        let _ = self.out.send(Msg::Data(d));
    }

    /// A refusal of Ricerca fabbricati or inquilini: a filter's (the field marked) or another.
    fn registry_failed(&self, generation: u64, e: anyhow::Error) {
        match e.downcast_ref::<crate::domain::registry_search::FieldError>() {
            Some(f) => self.send(DataMsg::RegistryRefused {
                generation,
                field: f.field,
                message: f.to_string(),
            }),
            None => self.failed(generation, e),
        }
    }

    pub(super) fn failed(&self, generation: u64, e: anyhow::Error) {
        tracing::warn!("request failed: {e:#}");
        self.send(DataMsg::Failed {
            generation,
            message: messages::failure(&e),
        });
    }

    pub fn handle(&mut self, request: Request) {
        // The administration screens' requests have their own file.
        let Some(request) = self.admin(request) else {
            return;
        };
        let svc = &mut self.service;
        match request {
            Request::Search {
                generation,
                input,
                sort,
                cursor,
                direction,
                limit,
                with_count,
            } => {
                let filter = match svc.unit_filter(&input) {
                    Ok(f) => f,
                    Err(e) => return self.filter_failed(generation, e),
                };
                if with_count {
                    self.counter.count(generation, filter.clone());
                }
                match self
                    .service
                    .unit_page(&filter, sort, cursor, direction, limit)
                {
                    Ok(p) => self.send(DataMsg::Page {
                        generation,
                        rows: p.rows,
                        at_start: p.at_start,
                        at_end: p.at_end,
                        direction,
                    }),
                    Err(e) if is_interrupted(&e) => {}
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::Lov {
                generation,
                field,
                prefix,
            } => match svc.filter_values(field, &prefix) {
                Ok(items) => self.send(DataMsg::Lov { generation, items }),
                Err(e) => self.failed(generation, e),
            },
            Request::Detail {
                generation,
                unit_id,
                reveal,
            } => match svc.unit(unit_id, reveal) {
                Ok(d) => {
                    let editable = svc.may_edit_unit(unit_id);
                    self.send(DataMsg::Detail {
                        generation,
                        detail: Box::new(d),
                        editable,
                    })
                }
                Err(e) => self.failed(generation, e),
            },
            Request::Card {
                generation,
                owner_id,
            } => match svc.certification_card(owner_id) {
                Ok(card) => self.send(DataMsg::Card {
                    generation,
                    card: Box::new(card),
                }),
                Err(e) => self.failed(generation, e),
            },
            Request::Certify {
                generation,
                owner_id,
                no_units,
            } => {
                let done = svc
                    .certify(owner_id, no_units)
                    .and_then(|c| Ok((svc.certification_card(owner_id)?, c)));
                match done {
                    Ok((card, c)) => self.send(DataMsg::Certified {
                        generation,
                        card: Box::new(card),
                        message: messages::certified(&c),
                    }),
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::Mark {
                generation,
                input,
                year,
                undo,
                only,
            } => {
                let done = svc
                    .unit_filter(&input)
                    .and_then(|f| svc.mark_units(&f, year, undo, only.as_deref()));
                match done {
                    Ok(o) => self.send(DataMsg::Done {
                        generation,
                        message: Message::Info(messages::marked(&o, undo)),
                        refresh: true,
                    }),
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::Export {
                generation,
                input,
                only_marked,
                path,
            } => {
                let filter = match svc.unit_filter(&input) {
                    Ok(f) => f,
                    Err(e) => return self.failed(generation, e),
                };
                if self.exporter.busy() {
                    return self.failed(generation, anyhow::anyhow!(messages::EXPORT_RUNNING));
                }
                let export = Export {
                    filter,
                    only_marked,
                    sort: Sort::default(),
                };
                self.exporter.start(
                    self.service.reopener(),
                    export,
                    path,
                    generation,
                    self.out.clone(),
                );
            }
            Request::Plans { generation } => self.send_plans(generation, None),
            Request::PlanCreate {
                generation,
                year,
                start,
                end,
            } => match svc.create_own_plan(year, start, end) {
                Ok(c) => {
                    let text = messages::with_warnings(messages::plan_created(&c), &c);
                    let message = if c.warnings.is_empty() {
                        Message::Info(text)
                    } else {
                        Message::Warning(text)
                    };
                    self.send_plans(generation, Some(message));
                }
                Err(e) => self.failed(generation, e),
            },
            Request::PlanCard {
                generation,
                plan_id,
            } => self.send_plan_card(generation, plan_id, None),
            Request::Communications { generation } => match svc.own_communications() {
                Ok(rows) => self.send(DataMsg::Communications { generation, rows }),
                Err(e) => self.failed(generation, e),
            },
            Request::CommunicationSave {
                generation,
                plan_id,
                owner_id,
                input,
                version,
                draft,
            } => {
                match svc.save_communication_form(
                    plan_id,
                    owner_id,
                    &input,
                    version,
                    draft,
                    today(),
                ) {
                    Ok(FormSave::Saved { saved, row }) => self.send(DataMsg::CommunicationSaved {
                        generation,
                        saved,
                        row,
                    }),
                    Ok(FormSave::Stale { message, row }) => {
                        self.send(DataMsg::CommunicationStale {
                            generation,
                            message,
                            row,
                        })
                    }
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::Occupations { generation, query } => self.occupations(generation, query),
            Request::Tenants {
                generation,
                typed,
                after,
                direction,
                limit,
                with_count,
            } => {
                let answer = svc
                    .tenant_page(&typed, after, direction, limit)
                    .and_then(|page| {
                        let count = with_count.then(|| svc.tenant_count(&typed)).transpose()?;
                        Ok((page, count))
                    });
                match answer {
                    Ok((page, count)) => self.send(DataMsg::Tenants {
                        generation,
                        page,
                        count,
                    }),
                    Err(e) => self.registry_failed(generation, e),
                }
            }
            Request::Buildings {
                generation,
                typed,
                cursor,
                direction,
                limit,
                with_count,
            } => {
                let answer = svc
                    .building_page(&typed, cursor.as_ref(), direction, limit)
                    .and_then(|page| {
                        let count = with_count.then(|| svc.building_count(&typed)).transpose()?;
                        Ok((page, count))
                    });
                match answer {
                    Ok((page, count)) => self.send(DataMsg::Buildings {
                        generation,
                        page,
                        count,
                    }),
                    Err(e) => self.registry_failed(generation, e),
                }
            }
            r @ Request::Assignments { .. } => self.assignments(r),
            Request::RankingsAct { generation, act } => self.rankings_act(generation, act),
            Request::Owners { generation } => match svc.owners(None) {
                Ok(list) => self.send(DataMsg::Lov {
                    generation,
                    items: list
                        .into_iter()
                        .map(|o| {
                            let istat = o
                                .istat_code
                                .map(|c| format!(" · ISTAT {c}"))
                                .unwrap_or_default();
                            (
                                o.id.to_string(),
                                format!("{} · CF {}{istat}", o.name, o.tax_code),
                            )
                        })
                        .collect(),
                }),
                Err(e) => self.failed(generation, e),
            },
            Request::PlanDates {
                generation,
                plan_id,
                start,
                end,
                version,
            } => {
                let message = match svc.set_plan_window(plan_id, start, end, version, today()) {
                    Ok(c) => {
                        let text = messages::with_warnings(
                            format!(
                                "Date salvate: comunicazione dal {} al {}",
                                c.plan.window_start.format("%d/%m/%Y"),
                                c.plan.window_end.format("%d/%m/%Y")
                            ),
                            &c,
                        );
                        if c.warnings.is_empty() {
                            Message::Info(text)
                        } else {
                            Message::Warning(text)
                        }
                    }
                    Err(e) => Message::Error(messages::failure(&e)),
                };
                self.send_plan_card(generation, plan_id, Some(message));
            }
            Request::UnitEdit {
                generation,
                unit_id,
                typed,
                version,
            } => self.unit_edit(generation, unit_id, &typed, version),
            Request::CommunicationReceipt {
                generation,
                plan_id,
                owner_id,
                path,
            } => {
                // A file of the same name is kept: the new one gets the next free name.
                let path = crate::output_file::free_name(&path);
                let target = crate::output_file::Target::new(&path, false);
                match svc.write_receipt(plan_id, owner_id, &target) {
                    Ok(f) => self.send(DataMsg::Done {
                        generation,
                        message: Message::Info(format!(
                            "Ricevuta scritta in {} (ID {})",
                            path.display(),
                            f.transmission_id
                        )),
                        refresh: false,
                    }),
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::Rankings { generation, query } => match self.rankings(query) {
                Ok(data) => self.send(DataMsg::Rankings {
                    generation,
                    data: Box::new(data),
                }),
                Err(e) => self.failed(generation, e),
            },
            Request::PlanFile {
                generation,
                plan_id,
                what,
                path,
            } => {
                // A file of the same name is kept: the new one gets the next free name.
                let path = crate::output_file::free_name(&path);
                let target = crate::output_file::Target::new(&path, false);
                match svc.write_plan_file(plan_id, what, &target, today()) {
                    Ok(_) => {
                        let text = match what {
                            PlanFile::Report => messages::plan_report_written(&path),
                            PlanFile::Export => messages::plan_exported(&path),
                        };
                        self.send_plan_card(generation, plan_id, Some(Message::Info(text)));
                    }
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::PlanAct {
                generation,
                plan_id,
                action,
                version,
            } => match svc.plan_action(plan_id, action, version, today()) {
                Ok(c) => {
                    let text = messages::with_warnings(messages::plan_changed(&c), &c);
                    let message = if c.warnings.is_empty() {
                        Message::Info(text)
                    } else {
                        Message::Warning(text)
                    };
                    self.send_plan_card(generation, plan_id, Some(message));
                }
                // A refusal reloads the card: the plan may have changed under the operator,
                // who then sees its current state next to the reason.
                Err(e) if e.downcast_ref::<Refused>().is_some() => self.send_plan_card(
                    generation,
                    plan_id,
                    Some(Message::Error(messages::failure(&e))),
                ),
                Err(e) => self.failed(generation, e),
            },
            // Answered by `admin` above.
            Request::RegistrationFile { .. }
            | Request::Registrations { .. }
            | Request::RegistrationDecide { .. }
            | Request::Districts { .. }
            | Request::DistrictCard { .. }
            | Request::DistrictChange { .. }
            | Request::Keys { .. }
            | Request::KeyAdd { .. }
            | Request::KeyRemove { .. }
            | Request::Audit { .. }
            | Request::AuditVerify { .. } => {}
        }
    }

    /// A filter the search refuses names its field; anything else is a failure.
    fn filter_failed(&self, generation: u64, e: anyhow::Error) {
        match e.downcast::<FilterError>() {
            Ok(f) => self.send(DataMsg::FilterRefused {
                generation,
                field: f.field,
                message: f.message,
            }),
            Err(e) => self.failed(generation, e),
        }
    }

    /// A read of the Graduatorie area.
    fn rankings(&self, query: Query) -> anyhow::Result<Data> {
        let svc = &self.service;
        Ok(match query {
            Query::Notices => self.notices_data(None)?,
            Query::Rankings { notice_id } => self.notice_data(notice_id, None)?,
            Query::Find { notice_id, part } => Data::Found(svc.find_in_notice(
                notice_id,
                &part,
                crate::app::screens::rankings::FIND_LIMIT,
            )?),
            Query::Page {
                ranking_id,
                after,
                before,
                limit,
                select,
            } => {
                let w = svc.ranking_window(ranking_id, after, before, limit)?;
                Data::Page {
                    rows: w.rows,
                    select,
                    entries: w.entries,
                }
            }
            Query::Jump {
                ranking_id,
                code,
                limit,
            } => match svc.ranking_jump(ranking_id, &code, limit)? {
                Jump::At { window, position } => Data::Page {
                    rows: window.rows,
                    select: Some(position),
                    entries: window.entries,
                },
                Jump::NotFound(why) => Data::NotFound(why),
            },
            Query::Explain { notice_id, code } => {
                Data::Explanation(Box::new(svc.explain_application(notice_id, &code)?))
            }
            Query::RuleSets { notice_id } => Data::RuleSets(svc.comparable_rule_sets(notice_id)?),
            Query::WhatIf {
                notice_id,
                rule_set_id,
            } => {
                let w = svc.what_if_stored(notice_id, rule_set_id)?;
                Data::WhatIf {
                    label: w.label,
                    unverified: w.unverified,
                    comparisons: w.comparisons,
                }
            }
        })
    }

    fn send_plans(&self, generation: u64, message: Option<Message>) {
        match self.service.plans(None, None, today()) {
            Ok(list) => self.send(DataMsg::Plans {
                generation,
                plans: list.plans,
                may_create: list.may_create,
                message,
            }),
            Err(e) => self.failed(generation, e),
        }
    }

    fn send_plan_card(&self, generation: u64, plan_id: i64, message: Option<Message>) {
        match self.service.plan_card(plan_id, today()) {
            Ok(card) => self.send(DataMsg::PlanCard {
                generation,
                card: Box::new(card),
                message,
            }),
            Err(e) => self.failed(generation, e),
        }
    }
}
