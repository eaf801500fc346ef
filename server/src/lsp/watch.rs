//! Our own file watching, for editors that tell the server nothing about files changed on
//! disk (Neovim 0.11 on Linux does not register `didChangeWatchedFiles`; Helix reports
//! only files it saved itself). Watches each workspace's `.chant/` tree, the folders of
//! the files its specs name, and the git refs that decide git facts; bursts (chant and
//! agents rewrite many files at once) are coalesced into one event for the writer.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher as _};

use crate::model::Workspace;

use super::state::{Event, Poster};

/// A burst ends after this long without a new change...
const QUIET: Duration = Duration::from_millis(50);
/// ...or after this long in all, so a steady stream still gets through.
const MAX_DELAY: Duration = Duration::from_millis(500);

#[derive(Default)]
pub struct OwnWatcher {
    enabled: AtomicBool,
    inner: Mutex<Option<Inner>>,
}

struct Inner {
    watcher: notify::RecommendedWatcher,
    /// Directories watched, with whether recursively.
    watched: HashSet<(PathBuf, bool)>,
    /// Per root, the named-paths version last watched for.
    seen: HashMap<PathBuf, usize>,
}

impl OwnWatcher {
    /// Turns our watching on (the client does not watch for us).
    pub fn enable(&self) {
        self.enabled.store(true, Ordering::SeqCst);
    }

    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::SeqCst)
    }

    /// Makes sure everything `ws` reads is watched. Cheap when nothing new is named.
    pub fn watch(&self, ws: &Workspace, poster: &Poster) {
        if !self.enabled() {
            return;
        }
        let mut guard = super::server::lock(&self.inner);
        if guard.is_none() {
            match start(poster.clone()) {
                Ok(w) => *guard = Some(w),
                Err(e) => {
                    tracing::warn!(
                        "cannot watch files for changes ({e}); changes made outside the editor will not be seen"
                    );
                    self.enabled.store(false, Ordering::SeqCst);
                    return;
                }
            }
        }
        let Some(inner) = guard.as_mut() else { return };
        let version = ws.named_paths_version();
        if inner.seen.get(&ws.root) == Some(&version) {
            return;
        }
        inner.seen.insert(ws.root.clone(), version);
        for (dir, recursive) in wanted(ws) {
            if inner.watched.contains(&(dir.clone(), recursive)) {
                continue;
            }
            let mode = if recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            // A folder that does not exist yet is retried on the next call.
            if inner.watcher.watch(&dir, mode).is_ok() {
                inner.watched.insert((dir, recursive));
            }
        }
    }

    pub fn unwatch_root(&self, root: &Path) {
        let mut guard = super::server::lock(&self.inner);
        let Some(inner) = guard.as_mut() else { return };
        inner.seen.remove(root);
        let gone: Vec<(PathBuf, bool)> = inner
            .watched
            .iter()
            .filter(|(d, _)| d.starts_with(root))
            .cloned()
            .collect();
        for w in gone {
            let _ = inner.watcher.unwatch(&w.0);
            inner.watched.remove(&w);
        }
    }
}

/// The directories to watch for `ws`: `.chant/` (recursive, so agents' `.locks/` too), the git folders whose
/// files decide git facts, and for each file a spec names outside `.chant/`, its
/// nearest existing folder (so the file appearing is seen).
fn wanted(ws: &Workspace) -> Vec<(PathBuf, bool)> {
    let mut out = vec![(ws.chant_dir(), true)];
    let git = ws.root.join(".git");
    if git.is_dir() {
        out.push((git.clone(), false));
        out.push((git.join("refs"), true));
    }
    let mut dirs = HashSet::new();
    for rel in ws.named_paths() {
        let path = ws.root.join(rel);
        if path.starts_with(ws.chant_dir()) || !path.starts_with(&ws.root) {
            continue;
        }
        let existing = path
            .ancestors()
            .skip(1)
            .take_while(|a| a.starts_with(&ws.root))
            .find(|a| a.is_dir());
        if let Some(dir) = existing {
            dirs.insert(dir.to_path_buf());
        }
    }
    let mut dirs: Vec<PathBuf> = dirs.into_iter().collect();
    dirs.sort();
    out.extend(dirs.into_iter().map(|d| (d, false)));
    out
}

/// Whether a changed path can matter: not git's internals other than HEAD and refs, not
/// our own temporary files.
fn relevant(path: &Path) -> bool {
    if path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".chant-lsp.tmp"))
    {
        return false;
    }
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if let Some(git) = parts.iter().position(|c| c == ".git") {
        let after = parts.get(git + 1..).unwrap_or_default();
        return match after.first().map(String::as_str) {
            Some("HEAD") | Some("packed-refs") => after.len() == 1,
            Some("refs") => !after.last().is_some_and(|l| l.ends_with(".lock")),
            _ => false,
        };
    }
    true
}

fn start(poster: Poster) -> notify::Result<Inner> {
    let (tx, rx) = mpsc::channel::<PathBuf>();
    let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(event) = res {
            if event.kind.is_access() {
                return;
            }
            for p in event.paths {
                if relevant(&p) {
                    let _ = tx.send(p);
                }
            }
        }
    })?;
    std::thread::Builder::new()
        .name("chant-lsp-watch".into())
        .spawn(move || coalesce(rx, &poster))
        .map_err(|e| notify::Error::generic(&e.to_string()))?;
    Ok(Inner {
        watcher,
        watched: HashSet::new(),
        seen: HashMap::new(),
    })
}

/// Turns a stream of changed paths into one `Disk` event per burst.
fn coalesce(rx: mpsc::Receiver<PathBuf>, poster: &Poster) {
    while let Ok(first) = rx.recv() {
        let started = Instant::now();
        let mut paths = vec![first];
        loop {
            let left = MAX_DELAY.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            match rx.recv_timeout(QUIET.min(left)) {
                Ok(p) => paths.push(p),
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        paths.sort();
        paths.dedup();
        poster.post(Event::Disk(paths));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_git_files_that_decide_facts_matter() {
        let r = |p: &str| relevant(Path::new(p));
        assert!(r("/w/.chant/specs/a.md"));
        // An agent's lock and run report (a `.lock` outside `.git` is chant's).
        assert!(r("/w/.chant/.locks/2026-03-01-001-abc.lock"));
        assert!(r("/w/.chant/specs/.chant-status-2026-03-01-001-abc.json"));
        assert!(r("/w/src/lib.rs"));
        assert!(r("/w/.git/HEAD"));
        assert!(r("/w/.git/packed-refs"));
        assert!(r("/w/.git/refs/remotes/origin/fix"));
        assert!(!r("/w/.git/refs/heads/fix.lock"));
        assert!(!r("/w/.git/objects/ab/cdef"));
        assert!(!r("/w/.git/index"));
        assert!(!r("/w/.chant/specs/a.md.chant-lsp.tmp"));
    }
}
