//! The export thread: the plan's detail lists written on a connection of its own, with
//! progress messages and a cancel flag (leaving casa stops it and removes the partial file).

use crate::app::screens::DataMsg;
use crate::app::{Message, Msg};
use crate::service::units::{Export, ListsFile};
use crate::service::{Need, Reopen, messages};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

#[derive(Default)]
pub struct Exporter {
    cancel: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Exporter {
    pub fn busy(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Starts writing `export` to `path` (an .xlsx); the outcome comes back as `Done`.
    pub fn start(
        &mut self,
        session: Reopen,
        export: Export,
        path: PathBuf,
        generation: u64,
        out: mpsc::Sender<Msg>,
    ) {
        self.cancel.store(false, Ordering::Relaxed);
        let cancel = self.cancel.clone();
        let send = move |d: DataMsg| {
            let _ = out.send(Msg::Data(d));
        };
        self.thread = std::thread::Builder::new()
            .name("export".into())
            .spawn(move || {
                let result = session.open(Need::Read).and_then(|service| {
                    let mut last_sent = 0u64;
                    let mut progress = |done: u64, total: u64| {
                        // A message per 1% at most: the screen shows it, the link stays quiet.
                        if done == total || done >= last_sent + (total / 100).max(500) {
                            last_sent = done;
                            send(DataMsg::ExportProgress {
                                generation,
                                done,
                                total,
                            });
                        }
                    };
                    // The name typed on the screen: an existing file is refused, never
                    // replaced.
                    service.export_unit_lists(
                        &export,
                        ListsFile::Xlsx,
                        &crate::output_file::Target::new(&path, false),
                        &mut progress,
                        &cancel,
                    )
                });
                let message = match result {
                    Ok(s) => Message::Info(messages::lists_exported(&path, &s)),
                    Err(e) => Message::Error(messages::export_failed(&e)),
                };
                send(DataMsg::Done {
                    generation,
                    message,
                    refresh: false,
                });
            })
            .ok();
    }

    /// Leaving casa: stops a running export and waits for it to remove its partial file.
    pub fn finish(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
