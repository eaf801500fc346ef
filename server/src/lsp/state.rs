//! The model as requests see it ([`State`], an immutable snapshot) and the one writer
//! that changes it ([`Writer`]).
//!
//! Every notification becomes an [`Event`] sent, in the client's order, to the writer's
//! thread. The writer applies it to its own copy, hands requests a new snapshot at once,
//! then computes and publishes diagnostics; work that touches a whole workspace (loading
//! a root, a configuration change) runs on another thread from a snapshot, is coalesced
//! while the person types, and is dropped when newer input supersedes it. A request
//! waits only until the events sent before it are applied, never behind a recheck.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc as std_mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};
use tower_lsp_server::ls_types as lsp;

use crate::diagnostics;
use crate::model::vfs::{Fs, RealFs};
use crate::model::workspace::{find_root, find_roots, Affected};
use crate::model::{Location, SpecKey, Workspace};
use crate::syntax::Encoding;

use super::convert;
use super::document::{Change, Document};

pub struct Publish {
    pub uri: lsp::Uri,
    pub diagnostics: Vec<lsp::Diagnostic>,
    pub version: Option<i32>,
}

/// A snapshot: what one request reads. Cloning it is cheap (workspaces are shared and
/// copied by the writer only where it changes them; ropes share their chunks).
#[derive(Clone)]
pub struct State {
    /// The last event applied: a request waits for the events the client sent before it.
    pub seq: u64,
    pub encoding: Encoding,
    pub fs: Arc<dyn Fs>,
    pub roots: Vec<Arc<Workspace>>,
    pub open: HashMap<PathBuf, Document>,
    /// Roots whose initial index is being built in the background.
    pub indexing: HashSet<PathBuf>,
    /// Codes the client asked not to show (`initializationOptions.disable`).
    pub disabled: Vec<String>,
    /// The client applies workspace edits that delete files (a stale lock's quick fix).
    pub delete_files: bool,
}

impl Default for State {
    fn default() -> State {
        State {
            seq: 0,
            encoding: Encoding::Utf16,
            fs: Arc::new(RealFs),
            roots: Vec::new(),
            open: HashMap::new(),
            indexing: HashSet::new(),
            disabled: Vec::new(),
            delete_files: false,
        }
    }
}

impl State {
    /// The loaded workspace a `.chant/` path belongs to (the deepest root containing it).
    pub fn root_index(&self, path: &Path) -> Option<usize> {
        self.deepest(|ws| path.starts_with(ws.chant_dir()))
    }

    /// The loaded workspace whose repository holds `path` (any file a rule may read).
    fn repo_index(&self, path: &Path) -> Option<usize> {
        self.deepest(|ws| path.starts_with(&ws.root))
    }

    fn deepest(&self, holds: impl Fn(&Workspace) -> bool) -> Option<usize> {
        self.roots
            .iter()
            .enumerate()
            .filter(|(_, ws)| holds(ws))
            .max_by_key(|(_, ws)| ws.root.components().count())
            .map(|(i, _)| i)
    }

    pub fn has_root(&self, root: &Path) -> bool {
        self.roots.iter().any(|ws| ws.root == root)
    }

    /// Whether a path is one the server cares about: a spec or a config file of a root.
    pub fn is_chant_file(&self, path: &Path) -> bool {
        self.root_index(path).is_some_and(|i| {
            let ws = &self.roots[i];
            ws.is_spec_path(path) || is_config(ws, path)
        })
    }

    /// Whether the editor holds changes to `p` that are not on disk.
    pub fn unsaved(&self, p: &Path) -> bool {
        self.open.get(p).is_some_and(|d| {
            std::fs::read_to_string(p).map_or(true, |disk| d.rope != disk.as_str())
        })
    }
}

fn is_config(ws: &Workspace, path: &Path) -> bool {
    path == ws.chant_dir().join("config.md") || path == ws.chant_dir().join("lsp.yaml")
}

/// What reaches the writer, in the order it was sent.
pub enum Event {
    Settings {
        encoding: Encoding,
        disabled: Vec<String>,
        delete_files: bool,
    },
    /// Editor folders to index (at `initialized`, or added later).
    AddFolders(Vec<PathBuf>),
    RemoveFolders(Vec<PathBuf>),
    Open {
        path: PathBuf,
        text: String,
        version: i32,
    },
    Change {
        path: PathBuf,
        version: i32,
        changes: Vec<lsp::TextDocumentContentChangeEvent>,
    },
    Close {
        path: PathBuf,
    },
    /// Files or folders changed on disk (the client's watcher, ours, or a flow's own
    /// write); re-read unless open in the editor.
    Disk(Vec<PathBuf>),
    /// Answered once everything sent before it is applied and published.
    Barrier(tokio::sync::oneshot::Sender<()>),
    /// A background load read every spec; its diagnostics follow in `Computed` events.
    Loaded {
        ws: Box<Workspace>,
    },
    /// Some of a freshly loaded root's diagnostics, computed from the workspace as it was
    /// loaded; `last` ends the root's indexing.
    Computed {
        root: PathBuf,
        computed: Vec<Computed>,
        last: bool,
    },
    /// Background work for this root panicked: stop waiting for it.
    Failed {
        root: PathBuf,
    },
    /// A background reconfiguration finished; `generation` says whether it is current.
    Reconfigured {
        root: PathBuf,
        generation: u64,
        ws: Box<Workspace>,
        computed: Vec<Computed>,
    },
}

/// Sends events to the writer, numbering them so requests can wait for their turn.
#[derive(Clone)]
pub struct Poster {
    tx: Arc<Mutex<std_mpsc::Sender<(u64, Event)>>>,
    sent: Arc<AtomicU64>,
}

impl Poster {
    /// Returns the event's number. Numbering and sending happen under one lock, so
    /// numbers follow the channel's order.
    pub fn post(&self, event: Event) -> u64 {
        let tx = super::server::lock(&self.tx);
        let seq = self.sent.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = tx.send((seq, event));
        seq
    }

    /// The number of the last event sent.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }
}

/// Where the writer's diagnostics go to be sent, counting those not sent yet: the first
/// index waits for the client to take them in before it computes more (a client reads
/// thousands of notifications slower than they are computed, and they would pile up).
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<Publish>,
    pending: Arc<AtomicU64>,
}

impl Outbox {
    pub fn new() -> (Outbox, mpsc::UnboundedReceiver<Publish>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let pending = Arc::new(AtomicU64::new(0));
        (Outbox { tx, pending }, rx)
    }

    fn send(&self, p: Publish) {
        if self.tx.send(p).is_ok() {
            self.pending.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Called by the sender for each diagnostics message it took off the channel.
    pub fn taken(&self, n: u64) {
        let _ = self
            .pending
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |p| {
                Some(p.saturating_sub(n))
            });
    }

    /// Waits (a while at most: a client that reads nothing must not stop the index)
    /// until at most `most` messages wait to be sent.
    fn wait_below(&self, most: u64) {
        let until = Instant::now() + Duration::from_secs(10);
        while self.pending.load(Ordering::SeqCst) > most && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Called with each workspace after every change (our own file watching follows it).
pub type OnRoot = Box<dyn Fn(&Workspace, &Poster) + Send>;

/// The diagnostics work of an event, done once requests have the new snapshot.
type AfterSnapshot = Box<dyn FnOnce(&mut Writer)>;

/// Starts the writer thread; returns how to reach it and the snapshots it makes.
pub fn start(publisher: Outbox, on_root: OnRoot) -> (Poster, watch::Receiver<Arc<State>>) {
    let (tx, rx) = std_mpsc::channel();
    let poster = Poster {
        tx: Arc::new(Mutex::new(tx)),
        sent: Arc::new(AtomicU64::new(0)),
    };
    let (snap_tx, snap_rx) = watch::channel(Arc::new(State::default()));
    let mut writer = Writer {
        st: State::default(),
        published: HashMap::new(),
        out: publisher,
        snapshots: snap_tx,
        poster: poster.clone(),
        reconfigure: HashMap::new(),
        streaming: HashMap::new(),
        on_root,
    };
    let spawned = std::thread::Builder::new()
        .name("chant-lsp-writer".into())
        .spawn(move || writer.run(rx));
    if let Err(e) = spawned {
        tracing::error!("cannot start the model's writer thread: {e}");
    }
    (poster, snap_rx)
}

/// How long a configuration edit waits for the next keystroke before the workspace is
/// re-checked with it.
const CONFIG_QUIET: Duration = Duration::from_millis(150);

/// A pending or running reconfiguration of one root.
#[derive(Default)]
struct Reconfigure {
    /// Bumped by each configuration change; a result of an older one is dropped.
    generation: u64,
    /// When to start the next run (after a quiet period), if one is due.
    due: Option<Instant>,
    running: bool,
    /// Files changed while a run was under way, applied again on its result.
    touched: HashSet<PathBuf>,
}

struct Writer {
    st: State,
    /// Hash of the diagnostics last sent per file, to send only changes.
    published: HashMap<PathBuf, u64>,
    out: Outbox,
    snapshots: watch::Sender<Arc<State>>,
    poster: Poster,
    reconfigure: HashMap<PathBuf, Reconfigure>,
    /// Roots whose first diagnostics are still coming, with the files published since
    /// the load (those the loader's chunks must not overwrite).
    streaming: HashMap<PathBuf, HashSet<PathBuf>>,
    /// Called once per installed root (starts our own file watching where needed).
    on_root: OnRoot,
}

impl Writer {
    fn run(&mut self, rx: std_mpsc::Receiver<(u64, Event)>) {
        loop {
            let next_due = self.reconfigure.values().filter_map(|r| r.due).min();
            let received = match next_due {
                Some(due) => match rx.recv_timeout(due.saturating_duration_since(Instant::now())) {
                    Ok(m) => Some(m),
                    Err(std_mpsc::RecvTimeoutError::Timeout) => None,
                    Err(std_mpsc::RecvTimeoutError::Disconnected) => return,
                },
                None => match rx.recv() {
                    Ok(m) => Some(m),
                    Err(_) => return,
                },
            };
            if let Some((seq, event)) = received {
                let out = super::server::guarded("a change", || self.apply(event));
                self.st.seq = seq;
                // Requests see the change before its diagnostics are computed.
                self.snapshot();
                for ws in &self.st.roots {
                    (self.on_root)(ws, &self.poster);
                }
                if let Some(Some(publish)) = out {
                    super::server::guarded("diagnostics", || publish(self));
                }
            }
            self.start_due_reconfigurations();
        }
    }

    fn snapshot(&self) {
        let old = self.snapshots.send_replace(Arc::new(self.st.clone()));
        drop_later(old);
    }

    /// Applies one event to the model; returns the diagnostics work to do after the new
    /// snapshot is out.
    fn apply(&mut self, event: Event) -> Option<AfterSnapshot> {
        match event {
            Event::Settings {
                encoding,
                disabled,
                delete_files,
            } => {
                self.st.encoding = encoding;
                self.st.disabled = disabled;
                self.st.delete_files = delete_files;
                None
            }
            Event::AddFolders(folders) => {
                for f in &folders {
                    convert::alias_folder(f);
                }
                let folders: Vec<PathBuf> = folders
                    .iter()
                    .map(|f| std::fs::canonicalize(f).unwrap_or_else(|_| f.clone()))
                    .collect();
                let mut roots: Vec<PathBuf> = folders.iter().flat_map(|f| find_roots(f)).collect();
                roots.sort();
                roots.dedup();
                for root in roots {
                    self.load_in_background(root);
                }
                None
            }
            Event::RemoveFolders(folders) => {
                let roots: Vec<PathBuf> = folders
                    .iter()
                    .map(|f| std::fs::canonicalize(f).unwrap_or_else(|_| f.clone()))
                    .flat_map(|f| find_roots(&f))
                    .collect();
                Some(Box::new(move |w: &mut Writer| {
                    for root in roots {
                        let out = w.remove_root(&root);
                        w.send(out);
                    }
                }))
            }
            Event::Open {
                path,
                text,
                version,
            } => {
                self.ensure_root_for(&path);
                if !self.st.is_chant_file(&path) && self.st.root_index(&path).is_some() {
                    return None;
                }
                self.st
                    .open
                    .insert(path.clone(), Document::new(&text, version));
                // A reopened file gets its diagnostics again: the editor dropped them.
                self.published.remove(&path);
                let affected = self.update(&path, Some(text));
                Some(Box::new(move |w: &mut Writer| w.publish(affected)))
            }
            Event::Change {
                path,
                version,
                changes,
            } => {
                let enc = self.st.encoding;
                let doc = self.st.open.get_mut(&path)?;
                for c in &changes {
                    let range = c.range.map(|r| {
                        (
                            (r.start.line, r.start.character),
                            (r.end.line, r.end.character),
                        )
                    });
                    doc.apply(
                        &Change {
                            range,
                            text: &c.text,
                        },
                        enc,
                    );
                }
                doc.version = version;
                let text = doc.text();
                let affected = self.update(&path, Some(text));
                Some(Box::new(move |w: &mut Writer| w.publish(affected)))
            }
            Event::Close { path } => {
                self.st.open.remove(&path)?;
                // The disk's text is the truth again.
                let affected = self.update(&path, None);
                Some(Box::new(move |w: &mut Writer| w.publish(affected)))
            }
            Event::Disk(paths) => {
                let mut files = Vec::new();
                for p in &paths {
                    files.extend(changed_paths(&self.st, p));
                }
                files.sort();
                files.dedup();
                let affected = self.update_from_disk(&files);
                Some(Box::new(move |w: &mut Writer| w.publish(affected)))
            }
            Event::Barrier(done) => Some(Box::new(move |_: &mut Writer| {
                let _ = done.send(());
            })),
            Event::Loaded { ws } => {
                let root = ws.root.clone();
                let affected = self.install(*ws)?;
                self.streaming.insert(root, HashSet::new());
                Some(Box::new(move |w: &mut Writer| w.publish(affected)))
            }
            Event::Computed {
                root,
                computed,
                last,
            } => {
                let fresh = self.streaming.get(&root)?;
                // What was published since the load (an edit, a change on disk and what
                // they touched) is newer than what the loader computed.
                let computed: Vec<Computed> = computed
                    .into_iter()
                    .filter(|c| !fresh.contains(&c.path))
                    .collect();
                if last {
                    self.streaming.remove(&root);
                    self.st.indexing.remove(&root);
                }
                Some(Box::new(move |w: &mut Writer| {
                    let out = w.publish_computed(computed);
                    w.send(out);
                }))
            }
            Event::Failed { root } => {
                self.st.indexing.remove(&root);
                self.streaming.remove(&root);
                if let Some(r) = self.reconfigure.get_mut(&root) {
                    r.running = false;
                }
                None
            }
            Event::Reconfigured {
                root,
                generation,
                ws,
                computed,
            } => {
                let r = self.reconfigure.get_mut(&root)?;
                r.running = false;
                if r.generation != generation {
                    return None; // superseded: a newer configuration is due
                }
                let touched: Vec<PathBuf> = r.touched.drain().collect();
                let i = self.st.roots.iter().position(|w| w.root == root)?;
                drop_later(std::mem::replace(&mut self.st.roots[i], Arc::new(*ws)));
                // Files that changed while it ran are applied again on top.
                let mut affected = Vec::new();
                for p in touched {
                    let text = self.st.open.get(&p).map(Document::text);
                    affected.extend(self.update(&p, text));
                }
                Some(Box::new(move |w: &mut Writer| {
                    let out = w.publish_computed(computed);
                    w.send(out);
                    w.publish(affected);
                }))
            }
        }
    }

    /// Loads a root off this thread; requests for it wait until it is installed.
    fn load_in_background(&mut self, root: PathBuf) {
        if self.st.has_root(&root) || !self.st.indexing.insert(root.clone()) {
            return;
        }
        let fs = self.st.fs.clone();
        let st = self.st.clone();
        let what = format!("loading {}", root.display());
        let poster = self.poster.clone();
        let outbox = self.out.clone();
        self.in_background("chant-lsp-load", root.clone(), what, move || {
            // Requests read few specs' texts: those of unopened specs are read again
            // when needed instead of being kept (the memory is most of the model's).
            let ws = crate::actions::load_workspace(root.clone(), fs, false);
            let loaded = ws.clone();
            poster.post(Event::Loaded { ws: Box::new(ws) });
            // The diagnostics go out in chunks: all of them at once would be the largest
            // thing the server ever holds (more than the model itself).
            let keys: Vec<SpecKey> = loaded.specs().map(|(k, _)| k).collect();
            for chunk in keys.chunks(LOAD_CHUNK) {
                outbox.wait_below(2 * LOAD_CHUNK as u64);
                poster.post(Event::Computed {
                    root: root.clone(),
                    computed: compute(&st, &loaded, chunk, false),
                    last: false,
                });
            }
            Event::Computed {
                computed: compute_config(&st, &loaded),
                root,
                last: true,
            }
        });
    }

    /// Runs whole-workspace work for `root` on a thread of its own and posts the event it
    /// makes; if it panics or cannot start, posts `Failed` so nothing waits for it (the
    /// writer keeps what it has).
    fn in_background(
        &self,
        thread: &str,
        root: PathBuf,
        what: String,
        work: impl FnOnce() -> Event + Send + 'static,
    ) {
        let poster = self.poster.clone();
        let failed = root.clone();
        let shown = what.clone();
        let spawned = std::thread::Builder::new()
            .name(thread.into())
            .spawn(move || {
                let event = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
                    Ok(event) => event,
                    Err(_) => {
                        tracing::error!("internal error while {shown}");
                        Event::Failed { root }
                    }
                };
                poster.post(event);
            });
        if spawned.is_err() {
            tracing::error!("cannot start a thread for {what}");
            self.poster.post(Event::Failed { root: failed });
        }
    }

    /// For a file opened outside every known workspace: load the nearest `.chant/` root.
    fn ensure_root_for(&mut self, path: &Path) {
        if self.st.root_index(path).is_some() {
            return;
        }
        if let Some(root) = path.parent().and_then(find_root) {
            self.load_in_background(root);
        }
    }

    /// Installs a freshly loaded workspace, laying open buffers over the disk's text.
    /// The root stays indexing until its last diagnostics are published.
    fn install(&mut self, mut ws: Workspace) -> Option<Vec<(usize, Affected)>> {
        if self.st.has_root(&ws.root) {
            self.st.indexing.remove(&ws.root);
            return None;
        }
        // The loader computed diagnostics from the disk; open buffers win, and what they
        // touch is computed again here.
        let mut affected = Affected::default();
        for (path, doc) in &self.st.open {
            if path.starts_with(ws.chant_dir()) {
                let a = ws.update(path, Some(doc.text()));
                affected.specs.extend(a.specs);
                affected.removed.extend(a.removed);
                affected.all |= a.all;
            }
        }
        self.st.roots.push(Arc::new(ws));
        let i = self.st.roots.len() - 1;
        Some(vec![(i, affected)])
    }

    fn remove_root(&mut self, root: &Path) -> Vec<Publish> {
        let Some(i) = self.st.roots.iter().position(|ws| ws.root == root) else {
            return Vec::new();
        };
        let ws = self.st.roots.remove(i);
        self.reconfigure.remove(root);
        self.snapshot();
        let paths: Vec<PathBuf> = ws.specs().map(|(_, f)| f.path.clone()).collect();
        paths.iter().filter_map(|p| self.clear(p)).collect()
    }

    /// Applies a change of one file (buffer text, or None to re-read the disk). A
    /// configuration file is re-read later, off this thread.
    fn update(&mut self, path: &Path, text: Option<String>) -> Vec<(usize, Affected)> {
        let Some(i) = self.st.repo_index(path) else {
            return Vec::new();
        };
        let root = self.st.roots[i].root.clone();
        if is_config(&self.st.roots[i], path) {
            let r = self.reconfigure.entry(root).or_default();
            r.generation += 1;
            r.due = Some(Instant::now() + CONFIG_QUIET);
            return Vec::new();
        }
        if let Some(r) = self.reconfigure.get_mut(&root) {
            if r.running || r.due.is_some() {
                r.touched.insert(path.to_path_buf());
            }
        }
        let affected = Arc::make_mut(&mut self.st.roots[i]).update(path, text);
        vec![(i, affected)]
    }

    /// Re-reads several files from disk, then publishes once: a rename (delete +
    /// create) must not flash an intermediate "unknown" in between.
    fn update_from_disk(&mut self, paths: &[PathBuf]) -> Vec<(usize, Affected)> {
        let mut per_root: HashMap<usize, Affected> = HashMap::new();
        for path in paths {
            for (i, a) in self.update(path, None) {
                let acc = per_root.entry(i).or_default();
                acc.specs.extend(a.specs);
                acc.removed.extend(a.removed);
                acc.all |= a.all;
            }
        }
        let mut roots: Vec<_> = per_root.into_iter().collect();
        roots.sort_by_key(|(i, _)| *i);
        for (i, affected) in &mut roots {
            // A spec removed and re-created in the batch is not removed.
            let ws = &self.st.roots[*i];
            affected.removed.retain(|p| ws.key_of(p).is_none());
        }
        roots
    }

    /// Starts the reconfigurations whose quiet period is over (one run per root at a
    /// time; a change during a run makes another run due after it).
    fn start_due_reconfigurations(&mut self) {
        let now = Instant::now();
        let due: Vec<PathBuf> = self
            .reconfigure
            .iter()
            .filter(|(_, r)| !r.running && r.due.is_some_and(|d| d <= now))
            .map(|(root, _)| root.clone())
            .collect();
        for root in due {
            let Some(i) = self.st.roots.iter().position(|w| w.root == root) else {
                self.reconfigure.remove(&root);
                continue;
            };
            let ws = self.st.roots[i].clone();
            let chant = ws.chant_dir();
            let text = |name: &str| self.st.open.get(&chant.join(name)).map(Document::text);
            let (config_md, lsp_yaml) = (text("config.md"), text("lsp.yaml"));
            let Some(r) = self.reconfigure.get_mut(&root) else {
                continue;
            };
            r.due = None;
            r.running = true;
            let generation = r.generation;
            let st = self.st.clone();
            self.in_background(
                "chant-lsp-config",
                root.clone(),
                "applying a configuration".into(),
                move || {
                    let started = Instant::now();
                    let ws = ws.reconfigured(config_md, lsp_yaml);
                    let computed = compute_all(&st, &ws, true);
                    tracing::debug!(
                        target: "chant_lsp::reconfigure",
                        "re-checked {} specs under the new configuration in {:?}",
                        ws.len(),
                        started.elapsed()
                    );
                    Event::Reconfigured {
                        root,
                        generation,
                        ws: Box::new(ws),
                        computed,
                    }
                },
            );
        }
    }

    fn send(&self, publishes: Vec<Publish>) {
        for p in publishes {
            self.out.send(p);
        }
    }

    fn publish(&mut self, affected: Vec<(usize, Affected)>) {
        for (i, a) in affected {
            let out = self.publish_affected(i, a);
            self.send(out);
        }
    }

    fn publish_affected(&mut self, i: usize, affected: Affected) -> Vec<Publish> {
        let mut out: Vec<Publish> = affected
            .removed
            .iter()
            .filter_map(|p| self.clear(p))
            .collect();
        if affected.all {
            out.extend(self.publish_all(i));
            return out;
        }
        let mut keys: Vec<SpecKey> = affected.specs.into_iter().collect();
        keys.sort_unstable();
        let Some(ws) = self.st.roots.get(i).cloned() else {
            return out;
        };
        for k in keys {
            if let Some((path, diags)) = spec_diagnostics(&self.st, &ws, k) {
                out.extend(self.send_if_changed(&path, diags));
            }
        }
        out
    }

    /// Every spec and configuration file of a root; the per-spec work runs on all cores.
    fn publish_all(&mut self, i: usize) -> Vec<Publish> {
        let Some(ws) = self.st.roots.get(i).cloned() else {
            return Vec::new();
        };
        let computed = compute_all(&self.st, &ws, false);
        self.publish_computed(computed)
    }

    /// Sends what changed among diagnostics computed (and hashed) elsewhere.
    fn publish_computed(&mut self, computed: Vec<Computed>) -> Vec<Publish> {
        computed
            .into_iter()
            .filter_map(|c| self.send_hashed(&c.path, c.diagnostics, c.hash))
            .collect()
    }

    fn send_if_changed(
        &mut self,
        path: &Path,
        diagnostics: Vec<lsp::Diagnostic>,
    ) -> Option<Publish> {
        let hash = hash_of(&diagnostics);
        self.send_hashed(path, diagnostics, hash)
    }

    fn send_hashed(
        &mut self,
        path: &Path,
        diagnostics: Vec<lsp::Diagnostic>,
        hash: u64,
    ) -> Option<Publish> {
        self.mark_fresh(path);
        let previous = self.published.get(path).copied();
        let open = self.st.open.get(path);
        // An open file with nothing to show still gets an (empty) answer once, so a
        // reopened buffer is known to be clean.
        if previous == Some(hash)
            || (previous.is_none() && diagnostics.is_empty() && open.is_none())
        {
            return None;
        }
        self.published.insert(path.to_path_buf(), hash);
        Some(Publish {
            uri: convert::uri(path)?,
            version: open.map(|d| d.version),
            diagnostics,
        })
    }

    /// While a root's first diagnostics stream in, notes that `path` got newer ones.
    fn mark_fresh(&mut self, path: &Path) {
        for (root, fresh) in &mut self.streaming {
            if path.starts_with(root) {
                fresh.insert(path.to_path_buf());
            }
        }
    }

    /// Clears a file's diagnostics if any were published.
    fn clear(&mut self, path: &Path) -> Option<Publish> {
        self.mark_fresh(path);
        self.published.remove(path)?;
        Some(Publish {
            uri: convert::uri(path)?,
            diagnostics: Vec::new(),
            version: None,
        })
    }
}

/// Frees a value on a thread of its own: the last reference to a replaced workspace
/// (thousands of parsed specs) must not be dropped on the writer's thread, where it would
/// hold up the next keystroke.
fn drop_later<T: Send + 'static>(value: T) {
    type Garbage = Box<dyn Send>;
    static BIN: std::sync::OnceLock<Mutex<std_mpsc::Sender<Garbage>>> = std::sync::OnceLock::new();
    let bin = BIN.get_or_init(|| {
        let (tx, rx) = std_mpsc::channel::<Garbage>();
        let started = std::thread::Builder::new()
            .name("chant-lsp-drop".into())
            .spawn(move || while rx.recv().is_ok() {});
        if started.is_err() {
            tracing::warn!("cannot start the thread that frees old snapshots");
        }
        Mutex::new(tx)
    });
    // If the thread is gone the value comes back and is dropped here.
    let _ = super::server::lock(bin).send(Box::new(value));
}

/// One file's diagnostics, computed and hashed off the writer's thread.
pub struct Computed {
    pub path: PathBuf,
    pub diagnostics: Vec<lsp::Diagnostic>,
    pub hash: u64,
}

fn hash_of(diagnostics: &[lsp::Diagnostic]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{diagnostics:?}").hash(&mut h);
    h.finish()
}

/// Every spec's and configuration file's diagnostics of `ws`, on all cores; a
/// configuration file without any gets an empty list (which clears what was shown).
/// `background`: leave a core free for requests (a re-check while the person works);
/// otherwise use them all (the first index, which requests wait for anyway).
fn compute_all(st: &State, ws: &Workspace, background: bool) -> Vec<Computed> {
    let keys: Vec<SpecKey> = ws.specs().map(|(k, _)| k).collect();
    let mut out = compute(st, ws, &keys, background);
    out.extend(compute_config(st, ws));
    out
}

/// How many specs' diagnostics the first index sends the writer at a time.
const LOAD_CHUNK: usize = 512;

/// The diagnostics of the specs `keys`, on all cores (`background`: all but one).
fn compute(st: &State, ws: &Workspace, keys: &[SpecKey], background: bool) -> Vec<Computed> {
    let specs = |k: &SpecKey| spec_diagnostics(st, ws, *k);
    let lists = if background {
        crate::par::flat_map_background(keys, specs)
    } else {
        crate::par::flat_map(keys, specs)
    };
    lists.into_iter().map(computed).collect()
}

/// The configuration files' diagnostics, an empty list for a file without any.
fn compute_config(st: &State, ws: &Workspace) -> Vec<Computed> {
    let mut lists = Vec::new();
    let config = config_diagnostics(st, ws);
    for name in ["config.md", "lsp.yaml"] {
        let path = ws.chant_dir().join(name);
        if !config.iter().any(|(p, _)| *p == path) {
            lists.push((path, Vec::new()));
        }
    }
    lists.extend(config);
    lists.into_iter().map(computed).collect()
}

fn computed((path, diagnostics): (PathBuf, Vec<lsp::Diagnostic>)) -> Computed {
    Computed {
        path,
        hash: hash_of(&diagnostics),
        diagnostics,
    }
}

/// The configuration files' diagnostics in protocol form (only files that have some).
fn config_diagnostics(st: &State, ws: &Workspace) -> Vec<(PathBuf, Vec<lsp::Diagnostic>)> {
    diagnostics::check_config(ws)
        .into_iter()
        .map(|(path, diags)| {
            let text = match st.open.get(&path) {
                Some(d) => d.text(),
                None => std::fs::read_to_string(&path).unwrap_or_default(),
            };
            let lines = crate::syntax::LineIndex::new(&text);
            let lsp_diags = diags
                .iter()
                .map(|d| convert::diagnostic(ws, &text, &lines, d, st.encoding))
                .collect();
            (path, lsp_diags)
        })
        .collect()
}

/// What a pull client is told for one file: exactly what a push client is sent.
pub fn file_diagnostics(st: &State, path: &Path) -> Option<Vec<lsp::Diagnostic>> {
    let ws = &st.roots[st.root_index(path)?];
    if let Some(k) = ws.key_of(path) {
        return spec_diagnostics(st, ws, k).map(|(_, d)| d);
    }
    if is_config(ws, path) {
        let found = config_diagnostics(st, ws)
            .into_iter()
            .find(|(p, _)| p == path)
            .map(|(_, d)| d);
        return Some(found.unwrap_or_default());
    }
    None
}

/// Every file's diagnostics, for a workspace pull: specs, then configuration files.
pub fn all_diagnostics(st: &State) -> Vec<(PathBuf, Vec<lsp::Diagnostic>)> {
    st.roots
        .iter()
        .flat_map(|ws| compute_all(st, ws, true))
        .map(|c| (c.path, c.diagnostics))
        .collect()
}

/// A stable name for one list of diagnostics (pull reports' `resultId`).
pub fn result_id(diagnostics: &[lsp::Diagnostic]) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{diagnostics:?}").hash(&mut h);
    format!("{:016x}", h.finish())
}

/// One spec's diagnostics in protocol form. Archived specs are history: their
/// diagnostics show only while they are open.
fn spec_diagnostics(
    st: &State,
    ws: &Workspace,
    key: SpecKey,
) -> Option<(PathBuf, Vec<lsp::Diagnostic>)> {
    let file = ws.get(key)?;
    if file.location == Location::Archived && !st.open.contains_key(&file.path) {
        return Some((file.path.clone(), Vec::new()));
    }
    // None while the file's change on disk is on its way to the model: what was
    // published stays until then.
    let src = file.source()?;
    let diags = diagnostics::check_spec_in(ws, key, src.text())
        .iter()
        .filter(|d| !st.disabled.iter().any(|c| c == d.code))
        .map(|d| convert::diagnostic(ws, src.text(), src.lines(), d, st.encoding))
        .collect();
    Some((file.path.clone(), diags))
}

/// The files to re-read after `path` changed on disk; a directory stands for the specs
/// and the named files in it (a folder created with files already inside may report
/// only itself). Open buffers win over the disk.
fn changed_paths(st: &State, path: &Path) -> Vec<PathBuf> {
    if st.open.contains_key(path) {
        return Vec::new();
    }
    let in_chant = st.root_index(path);
    if !path.is_dir() && (path.extension().is_some() || in_chant.is_none()) {
        return vec![path.to_path_buf()];
    }
    // A directory came or went (an archive date folder, `mv specs/x ...`).
    let Some(i) = in_chant.or_else(|| st.repo_index(path)) else {
        return Vec::new();
    };
    let ws = &st.roots[i];
    let mut paths: Vec<PathBuf> = ws
        .specs()
        .map(|(_, f)| f.path.clone())
        .filter(|p| p.starts_with(path))
        .collect();
    if in_chant.is_some() {
        // Agent files too: `.locks/` is created with the first lock and may be removed whole.
        let on_disk = ws.spec_paths_on_disk().into_iter();
        let agents = ws.agent_paths().into_iter().chain(ws.agent_paths_on_disk());
        paths.extend(on_disk.chain(agents).filter(|p| p.starts_with(path)));
    }
    paths.extend(
        ws.named_paths()
            .map(|rel| ws.root.join(rel))
            .filter(|p| p.starts_with(path)),
    );
    paths.sort();
    paths.dedup();
    paths.retain(|p| !st.open.contains_key(p));
    paths
}
