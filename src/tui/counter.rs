//! The count thread: counts the search's matches on a connection of its own, so the first
//! page never waits for a count; only the newest count matters.

use crate::app::Msg;
use crate::app::screens::DataMsg;
use crate::domain::unit_filter::UnitFilter;
use crate::service::{Interrupt, Need, Reopen, Service};
use std::sync::{Arc, Mutex, mpsc};

struct CountJob {
    generation: u64,
    filter: UnitFilter,
}

/// Stops the running count, once the count connection is open.
#[derive(Clone, Default)]
pub struct Interrupter(Arc<Mutex<Option<Interrupt>>>);

impl Interrupter {
    pub fn interrupt(&self) {
        if let Ok(h) = self.0.lock()
            && let Some(h) = h.as_ref()
        {
            h.interrupt();
        }
    }
}

pub struct Counter {
    jobs: mpsc::Sender<CountJob>,
    interrupter: Interrupter,
}

impl Counter {
    /// The thread opens its connection with the first count, not at start: reading the
    /// schema on a second connection would compete with the first frame for the CPU.
    pub fn spawn(session: Reopen, out: mpsc::Sender<Msg>) -> Counter {
        let interrupter = Interrupter::default();
        let published = interrupter.clone();
        let (jobs, rx) = mpsc::channel::<CountJob>();
        let _ = std::thread::Builder::new()
            .name("count".into())
            .spawn(move || {
                let mut service: Option<Service> = None;
                while let Ok(mut job) = rx.recv() {
                    while let Ok(newer) = rx.try_recv() {
                        job = newer;
                    }
                    let svc = match &service {
                        Some(s) => s,
                        None => match session.open(Need::Read) {
                            Ok(s) => {
                                if let Ok(mut h) = published.0.lock() {
                                    *h = Some(s.interrupter());
                                }
                                service.insert(s)
                            }
                            Err(e) => {
                                tracing::warn!("count connection: {e:#}");
                                return;
                            }
                        },
                    };
                    match svc.unit_count(&job.filter) {
                        Ok(count) => {
                            let _ = out.send(Msg::Data(DataMsg::Count {
                                generation: job.generation,
                                count,
                            }));
                        }
                        Err(e) => tracing::debug!("count stopped: {e:#}"),
                    }
                }
            });
        Counter { jobs, interrupter }
    }

    /// Counts `filter` for `generation`, stopping the count running now.
    pub fn count(&self, generation: u64, filter: UnitFilter) {
        self.interrupter.interrupt();
        let _ = self.jobs.send(CountJob { generation, filter });
    }

    pub fn interrupter(&self) -> Interrupter {
        self.interrupter.clone()
    }
}
