//! The worker's side of the Banca dati occupanti: each query the matching service call.

use super::Jobs;
use crate::app::screens::DataMsg;
use crate::app::screens::occupations::{Data, Query};
use crate::domain::occupation::filter::FieldError;
use crate::service::{Refused, is_interrupted};
use crate::store::occupations::Invalid;

impl Jobs {
    pub(super) fn occupations(&mut self, generation: u64, query: Query) {
        match self.occupation_answer(query) {
            Ok(Some(data)) => self.send(DataMsg::Occupations {
                generation,
                data: Box::new(data),
            }),
            Ok(None) => {}
            Err(e) if is_interrupted(&e) => {}
            Err(e) => self.failed(generation, e),
        }
    }

    fn card(&self, id: i64, reveal: bool) -> anyhow::Result<Data> {
        let svc = &self.service;
        let stored = svc.occupation(id, reveal)?;
        let masked = svc.occupation_data_masked() && !reveal;
        let editable = svc.may_record_occupation(stored.owner_id);
        Ok(Data::Card {
            stored: Box::new(stored),
            masked,
            editable,
        })
    }

    fn occupation_answer(&mut self, query: Query) -> anyhow::Result<Option<Data>> {
        let svc = &mut self.service;
        Ok(Some(match query {
            Query::Codes => Data::Codes(svc.occupation_codes()?),
            Query::Page {
                input,
                cursor,
                direction,
                limit,
                with_count,
            } => {
                let filter = match svc.occupation_filter(&input) {
                    Ok(f) => f,
                    Err(e) => match e.downcast::<FieldError>() {
                        Ok(f) => {
                            return Ok(Some(Data::FilterRefused {
                                field: f.field,
                                message: f.message,
                            }));
                        }
                        Err(e) => return Err(e),
                    },
                };
                let page = svc.occupation_page(&filter, cursor, direction, limit)?;
                let count = if with_count {
                    Some(svc.occupation_count(&filter)?)
                } else {
                    None
                };
                Data::Page {
                    rows: page.rows,
                    at_start: page.at_start,
                    at_end: page.at_end,
                    direction,
                    count,
                }
            }
            Query::Values { field, prefix } => {
                use crate::domain::occupation::filter::Field;
                use crate::domain::unit_filter::FilterField;
                let f = match field {
                    Field::Owner => FilterField::Owner,
                    _ => FilterField::Comune,
                };
                Data::Values(svc.filter_values(f, &prefix)?)
            }
            Query::Card { id, reveal } => self.card(id, reveal)?,
            Query::UnitPlace {
                owner_tax_code,
                code,
            } => {
                let owner = match svc.occupation_owner(&owner_tax_code) {
                    Ok((_, cf, _)) => cf,
                    Err(_) => return Ok(Some(Data::UnitPlace(None))),
                };
                Data::UnitPlace(svc.occupation_unit_place(&owner, &code)?.map(|(_, p)| p))
            }
            Query::Save {
                id,
                version,
                mut record,
            } => {
                let result = match id {
                    None => match svc.occupation_owner(&record.owner_tax_code) {
                        Ok((_, cf, _)) => {
                            record.owner_tax_code = cf;
                            svc.add_occupation(&record)
                        }
                        Err(e) => Err(anyhow::anyhow!(Invalid(vec![
                            crate::domain::occupation::Problem {
                                attribute: "cfEnteProprietario".into(),
                                message: format!("{e:#}"),
                            }
                        ]))),
                    },
                    Some(id) => svc.update_occupation(id, version, &record),
                };
                self.after_change(id, result)?
            }
            Query::Close {
                id,
                version,
                closing,
            } => {
                let result = svc.close_occupation(id, version, &closing);
                self.after_change(Some(id), result)?
            }
        }))
    }

    /// The answer to a change: saved (with the card reread), refused by the rules (by
    /// attribute), or refused because someone changed the record since (with it as it is).
    fn after_change(
        &self,
        id: Option<i64>,
        result: anyhow::Result<crate::store::occupations::Saved>,
    ) -> anyhow::Result<Data> {
        match result {
            Ok(saved) => {
                let stored = self.service.occupation(saved.id, false)?;
                Ok(Data::Saved {
                    saved: Box::new(saved),
                    stored: Box::new(stored),
                })
            }
            Err(e) => {
                if let Some(i) = e.downcast_ref::<Invalid>() {
                    return Ok(Data::Invalid(i.0.clone()));
                }
                match (id, e.downcast_ref::<Refused>()) {
                    (Some(id), Some(r)) if r.0.contains("altro operatore") => Ok(Data::Stale {
                        message: r.0.clone(),
                        stored: Box::new(self.service.occupation(id, false)?),
                    }),
                    _ => Err(e),
                }
            }
        }
    }
}
