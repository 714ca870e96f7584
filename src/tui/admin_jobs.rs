//! The worker's part for the administration screens: registration requests, districts, SSH
//! keys and the audit trail. Each request is one service call and its answer.

use super::jobs::Jobs;
use crate::app::Message;
use crate::app::screens::districts::DistrictChange;
use crate::app::screens::registrations::Decision;
use crate::app::screens::{DataMsg, Request};
use crate::domain::district::parse_date;
use crate::service::registrations::FormRefused;
use crate::service::{InvalidInput, audit, messages};
use anyhow::{Result, anyhow};

impl Jobs {
    /// Handles the administration requests; false for any other request.
    pub(super) fn admin(&mut self, request: Request) -> Option<Request> {
        match request {
            Request::RegistrationFile { generation, form } => {
                match self.service.file_registration(&form, None) {
                    Ok(r) => self.send(DataMsg::RegistrationFiled {
                        generation,
                        text: messages::registration_filed(&r),
                    }),
                    Err(e) => self.form_failed(generation, e),
                }
            }
            Request::Registrations { generation, status } => {
                match self.service.registrations(status, None) {
                    Ok(rows) => self.send(DataMsg::Registrations { generation, rows }),
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::RegistrationDecide {
                generation,
                id,
                version,
                decision,
            } => {
                let done = match decision {
                    Decision::Validate => self.service.validate_registration(id, Some(version)),
                    Decision::Reject(reason) => {
                        self.service.reject_registration(id, &reason, Some(version))
                    }
                };
                match done {
                    Ok(r) => self.send(DataMsg::RegistrationDecided {
                        generation,
                        message: messages::registration_decided(&r),
                    }),
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::Districts { generation } => match self.service.district_list() {
                Ok(rows) => self.send(DataMsg::Districts { generation, rows }),
                Err(e) => self.failed(generation, e),
            },
            Request::DistrictCard { generation, code } => match self.service.district_card(&code) {
                Ok(card) => self.send(DataMsg::DistrictCard {
                    generation,
                    card: Box::new(card),
                    message: None,
                }),
                Err(e) => self.failed(generation, e),
            },
            Request::DistrictChange { generation, change } => match self.district_change(*change) {
                Ok((card, message)) => self.send(DataMsg::DistrictCard {
                    generation,
                    card: Box::new(card),
                    message: Some(Message::Info(message)),
                }),
                Err(e) => self.failed(generation, e),
            },
            Request::Keys { generation } => self.send_keys(generation, None),
            Request::KeyAdd {
                generation,
                username,
                key,
            } => match self.service.add_key(&username, &key) {
                Ok(k) => self.send_keys(
                    generation,
                    Some(Message::Info(format!(
                        "Chiave {} associata a {}",
                        k.fingerprint, k.username
                    ))),
                ),
                Err(e) => self.failed(generation, e),
            },
            Request::KeyRemove {
                generation,
                fingerprint,
            } => match self.service.remove_key(&fingerprint) {
                Ok(Some(k)) => self.send_keys(
                    generation,
                    Some(Message::Info(format!(
                        "Chiave {} di {} rimossa",
                        k.fingerprint, k.username
                    ))),
                ),
                Ok(None) => self.send_keys(
                    generation,
                    Some(Message::Warning(format!(
                        "Chiave {fingerprint} già rimossa"
                    ))),
                ),
                Err(e) => self.failed(generation, e),
            },
            Request::Audit {
                generation,
                query,
                before,
            } => {
                let rows = audit::filter_of(
                    &query.operator,
                    &query.action,
                    &query.entity,
                    &query.from,
                    &query.to,
                )
                .and_then(|f| {
                    self.service
                        .audit_records(&f, before, crate::app::screens::audit::PAGE)
                });
                match rows {
                    Ok(rows) => self.send(DataMsg::Audit {
                        generation,
                        rows,
                        appended: before.is_some(),
                    }),
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::AuditVerify { generation } => match self.service.verify_audit(None) {
                Ok(v) => {
                    let (whole, text) = messages::audit_verified(&v);
                    self.send(DataMsg::AuditVerified {
                        generation,
                        message: if whole {
                            Message::Info(text)
                        } else {
                            Message::Error(text)
                        },
                    })
                }
                Err(e) => self.failed(generation, e),
            },
            other => return Some(other),
        }
        None
    }

    fn send_keys(&self, generation: u64, message: Option<Message>) {
        match self.service.keys(None) {
            Ok(rows) => self.send(DataMsg::Keys {
                generation,
                rows,
                message,
            }),
            Err(e) => self.failed(generation, e),
        }
    }

    /// A SCHEDA UTENTE refused names every bad field; anything else is a failure.
    fn form_failed(&self, generation: u64, e: anyhow::Error) {
        match e.downcast::<FormRefused>() {
            Ok(f) => self.send(DataMsg::RegistrationRefused {
                generation,
                errors: f.0,
            }),
            Err(e) => self.failed(generation, e),
        }
    }

    fn district_change(
        &mut self,
        change: DistrictChange,
    ) -> Result<(crate::store::districts::DistrictCard, String)> {
        let list = |s: &str| vec![s.to_string()];
        let svc = &mut self.service;
        Ok(match change {
            DistrictChange::Create {
                code,
                name,
                members,
            } => {
                let card = svc.create_district(&code, &name, &list(&members))?;
                let text = format!(
                    "Ambito {} creato con {} comuni",
                    card.district.code,
                    card.members.len()
                );
                (card, text)
            }
            DistrictChange::Edit {
                code,
                name,
                add,
                remove,
                version,
            } => {
                let (mut card, renamed) = svc.rename_district(&code, &name, Some(version))?;
                let mut done = Vec::new();
                if renamed {
                    done.push(format!("nome ora «{}»", card.district.name));
                }
                if !add.trim().is_empty() || !remove.trim().is_empty() {
                    let (c, n) = svc.change_district_members(
                        &code,
                        &list(&add),
                        &list(&remove),
                        Some(card.version),
                    )?;
                    card = c;
                    done.push(format!("{n} comuni cambiati"));
                }
                let text = if done.is_empty() {
                    "Nessuna modifica".to_string()
                } else {
                    format!("Ambito {}: {}", card.district.code, done.join(", "))
                };
                (card, text)
            }
            DistrictChange::Capofila {
                code,
                comune,
                date,
                act,
                version,
            } => {
                let date = parse_date(&date)
                    .map_err(|e| anyhow!(InvalidInput(format!("Data dell'atto: {e}"))))?;
                let set = svc.set_capofila(&code, &comune, date, &act, Some(version))?;
                let text = messages::capofila_set(
                    &set.card.district.code,
                    set.card.district.lead_name.as_deref().unwrap_or("?"),
                    &set.demoted,
                );
                (set.card, text)
            }
        })
    }
}
