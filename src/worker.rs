//! The store worker: a thread that owns the database connection and answers the screens'
//! requests, so that the input loop never waits on SQL. A newer request makes older answers
//! stale (the app drops them by generation); `cancel` interrupts the running query.

use crate::app::Msg;
use crate::app::screens::Request;
use crate::domain::access::OperatorScope;
use crate::store::Store;
use anyhow::Result;
use rusqlite::InterruptHandle;
use std::path::PathBuf;
use std::sync::mpsc;

enum Job {
    Run(Request),
    Shutdown,
}

pub struct Worker {
    jobs: mpsc::Sender<Job>,
    interrupt: InterruptHandle,
    count_interrupt: std::sync::Arc<std::sync::Mutex<Option<InterruptHandle>>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Worker {
    pub fn spawn(
        store: Store,
        db_path: PathBuf,
        scope: OperatorScope,
        out: mpsc::Sender<Msg>,
    ) -> Result<Worker> {
        let interrupt = store.conn().get_interrupt_handle();
        let (jobs, rx) = mpsc::channel::<Job>();
        let ctx = crate::worker_jobs::Context::new(store, db_path, out, scope);
        let count_interrupt = ctx.count_interrupt.clone();
        let handle = std::thread::Builder::new()
            .name("store".into())
            .spawn(move || {
                let mut ctx = ctx;
                while let Ok(job) = rx.recv() {
                    match job {
                        Job::Run(r) => ctx.handle(r),
                        Job::Shutdown => break,
                    }
                }
                ctx.finish();
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

    /// Interrupts the query running now (its answer would be stale anyway).
    pub fn cancel(&self) {
        self.interrupt.interrupt();
        crate::worker_jobs::interrupt_count(&self.count_interrupt);
    }

    pub fn shutdown(mut self) {
        self.interrupt.interrupt();
        let _ = self.jobs.send(Job::Shutdown);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
