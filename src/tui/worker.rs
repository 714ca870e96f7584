//! The worker thread: it owns the session's service and answers the screens' requests, so
//! that the input loop never waits on the database. A newer request makes older answers stale
//! (the app drops them by generation); `cancel` interrupts the running query and count.

use super::jobs::Jobs;
use crate::app::Msg;
use crate::app::screens::Request;
use crate::service::{Interrupt, Service};
use anyhow::Result;
use std::sync::mpsc;

enum Job {
    Run(Request),
    Shutdown,
}

pub struct Worker {
    jobs: mpsc::Sender<Job>,
    interrupt: Interrupt,
    count_interrupt: super::counter::Interrupter,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Worker {
    pub fn spawn(service: Service, out: mpsc::Sender<Msg>) -> Result<Worker> {
        let interrupt = service.interrupter();
        let (jobs, rx) = mpsc::channel::<Job>();
        let work = Jobs::new(service, out);
        let count_interrupt = work.count_interrupter();
        let handle = std::thread::Builder::new()
            .name("service".into())
            .spawn(move || {
                let mut work = work;
                while let Ok(job) = rx.recv() {
                    match job {
                        Job::Run(r) => work.handle(r),
                        Job::Shutdown => break,
                    }
                }
                work.finish();
            })?;
        Ok(Worker {
            jobs,
            interrupt,
            count_interrupt,
            handle: Some(handle),
        })
    }

    pub fn send(&self, request: Request) {
        let _ = self.jobs.send(Job::Run(request));
    }

    /// Interrupts the query running now (its answer would be stale anyway) and the count.
    pub fn cancel(&self) {
        self.interrupt.interrupt();
        self.count_interrupt.interrupt();
    }

    pub fn shutdown(mut self) {
        self.interrupt.interrupt();
        let _ = self.jobs.send(Job::Shutdown);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
