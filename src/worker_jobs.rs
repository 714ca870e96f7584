//! What the store worker does for each request. Reads run on the worker's connection; counts
//! on a second thread with its own connection (so the first page never waits for a count);
//! exports on a thread of their own with progress and a cancel flag.

use crate::app::Message;
use crate::app::Msg;
use crate::app::screens::communications::load_rows;
use crate::app::screens::plans::{self, PlanCard};
use crate::app::screens::{DataMsg, Request};
use crate::domain::access::{Action, OperatorScope, Role};
use crate::domain::unit_filter::{FilterField, Sort, UnitFilter, Visibility};
use crate::export::plan_export::{self, PlanFile};
use crate::export::unit_lists::{self, ListsRequest};
use crate::store::certification::Refused;
use crate::store::search::{self, Direction};
use crate::store::{Access, Store, certification, communications};
use rusqlite::InterruptHandle;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

struct CountJob {
    generation: u64,
    filter: UnitFilter,
    visibility: Visibility,
}

pub struct Context {
    store: Store,
    db_path: PathBuf,
    out: mpsc::Sender<Msg>,
    scope: OperatorScope,
    visibility: Visibility,
    counts: mpsc::Sender<CountJob>,
    pub count_interrupt: Arc<Mutex<Option<InterruptHandle>>>,
    export_cancel: Arc<AtomicBool>,
    export_thread: Option<std::thread::JoinHandle<()>>,
}

fn send(out: &mpsc::Sender<Msg>, d: DataMsg) {
    let _ = out.send(Msg::Data(d));
}

/// Today in the operator's time zone: plan windows are calendar dates.
fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

fn is_interrupt(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<rusqlite::Error>().is_some_and(|r| {
            matches!(r, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::OperationInterrupted)
        })
    })
}

impl Context {
    pub fn new(
        store: Store,
        db_path: PathBuf,
        out: mpsc::Sender<Msg>,
        scope: OperatorScope,
    ) -> Context {
        let visibility = Visibility::for_scope(&scope);
        let (counts, jobs) = mpsc::channel::<CountJob>();
        let count_interrupt = spawn_counter(&db_path, jobs, out.clone());
        Context {
            store,
            db_path,
            out,
            scope,
            visibility,
            counts,
            count_interrupt,
            export_cancel: Arc::new(AtomicBool::new(false)),
            export_thread: None,
        }
    }

    /// Stops the running count (a newer one is coming) and any export.
    pub fn cancel_count(&self) {
        interrupt_count(&self.count_interrupt);
    }

    /// Leaving casa: stop a running export and wait for it to remove its partial file.
    pub fn finish(&mut self) {
        self.export_cancel.store(true, Ordering::Relaxed);
        if let Some(t) = self.export_thread.take() {
            let _ = t.join();
        }
    }

    pub fn handle(&mut self, request: Request) {
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
                let filter = match search::resolve_filter(self.store.conn(), &input) {
                    Ok(f) => f,
                    Err(e) => {
                        send(
                            &self.out,
                            DataMsg::FilterRefused {
                                generation,
                                field: e.field,
                                message: e.message,
                            },
                        );
                        return;
                    }
                };
                if with_count {
                    self.cancel_count();
                    let _ = self.counts.send(CountJob {
                        generation,
                        filter: filter.clone(),
                        visibility: self.visibility.clone(),
                    });
                }
                match self.page(&filter, sort, cursor, direction, limit) {
                    Ok((rows, at_start, at_end)) => send(
                        &self.out,
                        DataMsg::Page {
                            generation,
                            rows,
                            at_start,
                            at_end,
                            direction,
                        },
                    ),
                    Err(e) if is_interrupt(&e) => {}
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::Lov {
                generation,
                field,
                prefix,
            } => match self.lov(field, &prefix) {
                Ok(items) => send(&self.out, DataMsg::Lov { generation, items }),
                Err(e) => self.failed(generation, e),
            },
            Request::Detail {
                generation,
                unit_id,
                reveal,
            } => match self.detail(unit_id, reveal) {
                Ok(detail) => send(
                    &self.out,
                    DataMsg::Detail {
                        generation,
                        detail: Box::new(detail),
                    },
                ),
                Err(e) => self.failed(generation, e),
            },
            Request::Card {
                generation,
                owner_id,
            } => {
                let card = self
                    .scope
                    .check(Action::ViewOwner { owner_id })
                    .map_err(anyhow::Error::from)
                    .and_then(|_| certification::card(self.store.conn(), owner_id));
                match card {
                    Ok(card) => send(
                        &self.out,
                        DataMsg::Card {
                            generation,
                            card: Box::new(card),
                        },
                    ),
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::Certify {
                generation,
                owner_id,
                no_units,
            } => {
                let done = if no_units {
                    self.store.declare_no_units(&self.scope, owner_id)
                } else {
                    self.store.certify(&self.scope, owner_id)
                };
                let result = done.and_then(|c| {
                    let card = certification::card(self.store.conn(), owner_id)?;
                    Ok((c, card))
                });
                match result {
                    Ok((c, card)) => send(
                        &self.out,
                        DataMsg::Certified {
                            generation,
                            card: Box::new(card),
                            message: format!(
                                "{} registrata il {} ({} alloggi)",
                                c.kind.label(),
                                c.at,
                                c.totals.units
                            ),
                        },
                    ),
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::Mark {
                generation,
                input,
                year,
                undo,
            } => {
                let result = search::resolve_filter(self.store.conn(), &input)
                    .map_err(anyhow::Error::from)
                    .and_then(|f| {
                        self.store
                            .mark_for_plan(&self.scope, &f, &self.visibility, year, undo)
                    });
                match result {
                    Ok(o) => send(
                        &self.out,
                        DataMsg::Done {
                            generation,
                            message: Message::Info(format!(
                                "{} per il piano {}: {} alloggi ({} modificati)",
                                if undo {
                                    "Marcatura tolta"
                                } else {
                                    "Alloggi marcati"
                                },
                                o.year,
                                o.matched,
                                o.changed
                            )),
                            refresh: true,
                        },
                    ),
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::Export {
                generation,
                input,
                only_marked,
                path,
            } => {
                let filter = match search::resolve_filter(self.store.conn(), &input) {
                    Ok(f) => f,
                    Err(e) => return self.failed(generation, e.into()),
                };
                if self
                    .export_thread
                    .as_ref()
                    .is_some_and(|t| !t.is_finished())
                {
                    return self.failed(
                        generation,
                        anyhow::anyhow!("un'esportazione è già in corso: attendere che finisca"),
                    );
                }
                self.export_cancel.store(false, Ordering::Relaxed);
                self.export_thread = spawn_export(
                    self.db_path.clone(),
                    ListsRequest {
                        filter,
                        visibility: self.visibility.clone(),
                        only_marked,
                        sort: Sort::default(),
                    },
                    path,
                    generation,
                    self.export_cancel.clone(),
                    self.out.clone(),
                );
            }
            Request::Plans { generation } => self.send_plans(generation, None),
            Request::PlanCreate {
                generation,
                year,
                start,
                end,
            } => {
                // The same store call as `casa plan create`, for the operator's own district.
                let Some(district_id) = self.scope.district_id else {
                    return self.failed(
                        generation,
                        anyhow::anyhow!("solo il capofila di un ambito crea i suoi piani"),
                    );
                };
                match self
                    .store
                    .create_plan(&self.scope, district_id, year, start, end)
                {
                    Ok(c) => {
                        let mut text = format!(
                            "Creato il piano {} ({} {}), stato {}",
                            c.plan.id, c.plan.district_code, c.plan.year, c.plan.state
                        );
                        let message = if c.warnings.is_empty() {
                            Message::Info(text)
                        } else {
                            text.push_str(". ");
                            text.push_str(&c.warnings.join(". "));
                            Message::Warning(text)
                        };
                        self.send_plans(generation, Some(message));
                    }
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::PlanCard {
                generation,
                plan_id,
            } => self.send_plan_card(generation, plan_id, None),
            Request::Communications { generation } => {
                match load_rows(self.store.conn(), &self.scope) {
                    Ok(rows) => send(&self.out, DataMsg::Communications { generation, rows }),
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::CommunicationSave {
                generation,
                plan_id,
                owner_id,
                input,
                version,
                draft,
            } => self.save_comm(generation, plan_id, owner_id, &input, version, draft),
            Request::Rankings { generation, query } => {
                match crate::app::screens::rankings::answer(
                    self.store.conn(),
                    &self.scope,
                    query,
                    today(),
                ) {
                    Ok(data) => send(
                        &self.out,
                        DataMsg::Rankings {
                            generation,
                            data: Box::new(data),
                        },
                    ),
                    Err(e) => self.failed(generation, e),
                }
            }
            Request::PlanFile {
                generation,
                plan_id,
                what,
                path,
            } => {
                // The same call as `casa plan report|export`; a plan's files are small, so
                // they are written here rather than in an export thread.
                match plan_export::write_for(
                    self.store.conn(),
                    &self.scope,
                    plan_id,
                    what,
                    &path,
                    today(),
                ) {
                    Ok(_) => {
                        let text = match what {
                            PlanFile::Report => format!("Report scritto in {}", path.display()),
                            PlanFile::Export => {
                                format!("Piano esportato in {}", path.display())
                            }
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
            } => {
                // The same store call as `casa plan open|close|approve|cancel`: permission
                // check, lifecycle check, version check, one transaction with history and audit.
                match self
                    .store
                    .plan_action(&self.scope, plan_id, action, version, today())
                {
                    Ok(c) => {
                        let mut text = format!(
                            "Piano {} ({} {}): stato {}, fine comunicazione {}",
                            c.plan.id,
                            c.plan.district_code,
                            c.plan.year,
                            c.plan.state,
                            c.plan.window_end.format("%d/%m/%Y")
                        );
                        let message = if c.warnings.is_empty() {
                            Message::Info(text)
                        } else {
                            text.push_str(". ");
                            text.push_str(&c.warnings.join(". "));
                            Message::Warning(text)
                        };
                        self.send_plan_card(generation, plan_id, Some(message));
                    }
                    // A refusal reloads the card: the plan may have changed under the operator,
                    // who then sees its current state next to the reason.
                    Err(e) if e.downcast_ref::<Refused>().is_some() => self.send_plan_card(
                        generation,
                        plan_id,
                        Some(Message::Error(format!("{e:#}"))),
                    ),
                    Err(e) => self.failed(generation, e),
                }
            }
        }
    }

    /// The same store call as `casa comm file` (with `--draft` for a draft); the answer
    /// carries the communication reread, so the next save goes with the new version.
    fn save_comm(
        &mut self,
        generation: u64,
        plan_id: i64,
        owner_id: i64,
        input: &crate::domain::communication::FormInput,
        version: i64,
        draft: bool,
    ) {
        let save = communications::Save {
            plan_id,
            owner_id,
            input,
            expected_version: Some(version),
            mode: if draft {
                communications::SaveMode::Draft
            } else {
                communications::SaveMode::File
            },
            today: today(),
        };
        let result = self
            .store
            .save_communication(&self.scope, save)
            .and_then(|saved| {
                let row = load_rows(self.store.conn(), &self.scope)?
                    .into_iter()
                    .find(|r| r.plan.id == plan_id && r.communication.owner_id == owner_id)
                    .ok_or_else(|| anyhow::anyhow!("comunicazione non più leggibile"))?;
                Ok((saved, row))
            });
        match result {
            Ok((saved, row)) => send(
                &self.out,
                DataMsg::CommunicationSaved {
                    generation,
                    saved: Box::new(saved),
                    row: Box::new(row),
                },
            ),
            Err(e) => {
                // Stale when the stored version is no longer the one the form was read at: the
                // screen keeps what was typed and learns the stored version.
                let current = load_rows(self.store.conn(), &self.scope)
                    .ok()
                    .and_then(|rows| {
                        rows.into_iter()
                            .find(|r| r.plan.id == plan_id && r.communication.owner_id == owner_id)
                    })
                    .filter(|r| r.communication.version != version);
                match current {
                    Some(row) if e.downcast_ref::<Refused>().is_some() => send(
                        &self.out,
                        DataMsg::CommunicationStale {
                            generation,
                            message: format!("{e:#}"),
                            row: Box::new(row),
                        },
                    ),
                    _ => self.failed(generation, e),
                }
            }
        }
    }

    fn send_plans(&self, generation: u64, message: Option<Message>) {
        match plans::visible_plans(self.store.conn(), &self.scope) {
            Ok(plans) => {
                let today = today();
                let plans = plans
                    .into_iter()
                    .map(|p| {
                        let state = p.effective_state(today);
                        (p, state)
                    })
                    .collect();
                let may_create = self.scope.district_id.is_some_and(|district_id| {
                    self.scope.check(Action::ManagePlan { district_id }).is_ok()
                });
                send(
                    &self.out,
                    DataMsg::Plans {
                        generation,
                        plans,
                        may_create,
                        message,
                    },
                )
            }
            Err(e) => self.failed(generation, e),
        }
    }

    fn send_plan_card(&self, generation: u64, plan_id: i64, message: Option<Message>) {
        match PlanCard::load(self.store.conn(), &self.scope, plan_id, today()) {
            Ok(card) => send(
                &self.out,
                DataMsg::PlanCard {
                    generation,
                    card: Box::new(card),
                    message,
                },
            ),
            Err(e) => self.failed(generation, e),
        }
    }

    fn failed(&self, generation: u64, e: anyhow::Error) {
        tracing::warn!("request failed: {e:#}");
        send(
            &self.out,
            DataMsg::Failed {
                generation,
                message: format!("{e:#}"),
            },
        );
    }

    /// A page plus whether it is the first and the last. Asks one row more than shown to know.
    fn page(
        &self,
        filter: &UnitFilter,
        sort: Sort,
        cursor: Option<search::Cursor>,
        direction: Direction,
        limit: usize,
    ) -> anyhow::Result<(Vec<search::UnitRow>, bool, bool)> {
        let conn = self.store.conn();
        let mut rows = search::page(
            conn,
            filter,
            &self.visibility,
            sort,
            cursor,
            direction,
            limit + 1,
        )?;
        let more = rows.len() > limit;
        match direction {
            Direction::Forward => {
                rows.truncate(limit);
                Ok((rows, cursor.is_none(), !more))
            }
            Direction::Backward if more => {
                rows.remove(0);
                Ok((rows, false, cursor.is_none()))
            }
            Direction::Backward => {
                // Fewer rows than a page before the cursor: show the first page instead.
                let mut first = search::page(
                    conn,
                    filter,
                    &self.visibility,
                    sort,
                    None,
                    Direction::Forward,
                    limit + 1,
                )?;
                let more = first.len() > limit;
                first.truncate(limit);
                Ok((first, true, !more))
            }
        }
    }

    fn lov(&self, field: FilterField, prefix: &str) -> anyhow::Result<Vec<(String, String)>> {
        let conn = self.store.conn();
        Ok(match field {
            FilterField::Province => search::provinces(conn)?
                .into_iter()
                .map(|p| (p.sigla.clone(), format!("{}  {}", p.sigla, p.name)))
                .collect(),
            FilterField::Comune => search::comuni_matching(conn, prefix, 300)?
                .into_iter()
                .map(|c| {
                    (
                        c.istat.clone(),
                        format!("{}  {} ({})", c.istat, c.name, c.province),
                    )
                })
                .collect(),
            FilterField::Owner => search::owners_matching(conn, prefix, &self.visibility, 300)?
                .into_iter()
                .map(|o| (o.tax_code.clone(), format!("{}  {}", o.tax_code, o.name)))
                .collect(),
            _ => Vec::new(),
        })
    }

    fn detail(&self, unit_id: i64, reveal: bool) -> anyhow::Result<search::UnitDetail> {
        let conn = self.store.conn();
        let mut d = search::unit_detail(conn, unit_id)?
            .ok_or_else(|| anyhow::anyhow!("alloggio {unit_id} non trovato"))?;
        self.scope.check(Action::ViewOwner {
            owner_id: d.owner.id,
        })?;
        if self.scope.role == Role::Helpdesk {
            if reveal {
                // A helpdesk session is read-only; the one thing it writes is the audit record
                // of a reveal, on a short-lived connection of its own.
                Store::open(&self.db_path, Access::ReadWrite)?
                    .record_personal_data_view(&self.scope, unit_id)?;
            } else {
                d.mask_personal_data();
            }
        }
        Ok(d)
    }
}

/// The count thread opens its own connection off the start-up path (the first frame does not
/// wait for it) and publishes its interrupt handle once open.
fn spawn_counter(
    db: &Path,
    jobs: mpsc::Receiver<CountJob>,
    out: mpsc::Sender<Msg>,
) -> Arc<Mutex<Option<InterruptHandle>>> {
    let handle = Arc::new(Mutex::new(None));
    let published = handle.clone();
    let db = db.to_path_buf();
    let _ = std::thread::Builder::new()
        .name("count".into())
        .spawn(move || {
            // Opened with the first count, not at start: reading the schema on a second
            // connection would compete with the first frame for the CPU.
            let mut store: Option<Store> = None;
            while let Ok(mut job) = jobs.recv() {
                // Only the newest count matters.
                while let Ok(newer) = jobs.try_recv() {
                    job = newer;
                }
                let conn = match &store {
                    Some(s) => s.conn(),
                    None => match Store::open(&db, Access::ReadOnly) {
                        Ok(s) => {
                            if let Ok(mut h) = published.lock() {
                                *h = Some(s.conn().get_interrupt_handle());
                            }
                            store.insert(s).conn()
                        }
                        Err(e) => {
                            tracing::warn!("count connection: {e:#}");
                            return;
                        }
                    },
                };
                match search::count(conn, &job.filter, &job.visibility) {
                    Ok(count) => send(
                        &out,
                        DataMsg::Count {
                            generation: job.generation,
                            count,
                        },
                    ),
                    Err(e) => tracing::debug!("count stopped: {e:#}"),
                }
            }
        });
    handle
}

fn spawn_export(
    db: PathBuf,
    req: ListsRequest,
    path: PathBuf,
    generation: u64,
    cancel: Arc<AtomicBool>,
    out: mpsc::Sender<Msg>,
) -> Option<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("export".into()).spawn(move || {
        let result = Store::open(&db, Access::ReadOnly).and_then(|store| {
            let mut last_sent = 0u64;
            let mut progress = |done: u64, total: u64| {
                // A message per 1% at most: the screen shows it, the link stays quiet.
                if done == total || done >= last_sent + (total / 100).max(500) {
                    last_sent = done;
                    send(&out, DataMsg::ExportProgress { generation, done, total });
                }
            };
            unit_lists::write_xlsx(store.conn(), &req, &path, &mut progress, &cancel)
        });
        let msg = match result {
            Ok(s) => DataMsg::Done {
                generation,
                message: Message::Info(format!(
                    "Esportati in {}: {} liberi, {} sfitti per carenze, {} sfitti per ristrutturazione",
                    path.display(),
                    s.free,
                    s.vacant_maintenance,
                    s.vacant_renovation
                )),
                refresh: false,
            },
            Err(e) => DataMsg::Done {
                generation,
                message: Message::Error(format!("Esportazione non riuscita: {e:#}")),
                refresh: false,
            },
        };
        send(&out, msg);
    })
    .ok()
}

/// Interrupts the running count, if the count connection is open.
pub fn interrupt_count(handle: &Mutex<Option<InterruptHandle>>) {
    if let Ok(h) = handle.lock()
        && let Some(h) = h.as_ref()
    {
        h.interrupt();
    }
}
