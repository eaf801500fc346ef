//! The server's mutable state: loaded workspaces, open buffers, what was last published.
//! One writer at a time (a mutex held only for the apply-and-compute step); publishing
//! goes through an ordered channel so a later result never overtakes an earlier one.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types as lsp;

use crate::diagnostics;
use crate::model::vfs::{Fs, RealFs};
use crate::model::workspace::{find_root, Affected};
use crate::model::{Location, SpecKey, Workspace};
use crate::syntax::Encoding;

use super::convert;
use super::document::Document;

pub struct Publish {
    pub uri: lsp::Uri,
    pub diagnostics: Vec<lsp::Diagnostic>,
    pub version: Option<i32>,
}

pub struct State {
    pub encoding: Encoding,
    pub fs: Arc<dyn Fs>,
    pub roots: Vec<Workspace>,
    pub open: HashMap<PathBuf, Document>,
    /// Hash of the diagnostics last sent per file, to send only changes.
    published: HashMap<PathBuf, u64>,
    /// Roots whose initial index is being built in the background.
    pub indexing: HashSet<PathBuf>,
    /// Codes the client asked not to show (`initializationOptions.disable`).
    pub disabled: Vec<String>,
    /// Confirmations waiting as code actions, by nonce.
    pub pending: HashMap<String, super::commands::Pending>,
}

impl Default for State {
    fn default() -> State {
        State {
            encoding: Encoding::Utf16,
            fs: Arc::new(RealFs),
            roots: Vec::new(),
            open: HashMap::new(),
            published: HashMap::new(),
            indexing: HashSet::new(),
            pending: HashMap::new(),
            disabled: Vec::new(),
        }
    }
}

impl State {
    /// The loaded workspace a path belongs to (the deepest root containing it).
    pub fn root_index(&self, path: &Path) -> Option<usize> {
        self.roots
            .iter()
            .enumerate()
            .filter(|(_, ws)| path.starts_with(ws.chant_dir()))
            .max_by_key(|(_, ws)| ws.root.components().count())
            .map(|(i, _)| i)
    }

    pub fn has_root(&self, root: &Path) -> bool {
        self.roots.iter().any(|ws| ws.root == root)
    }

    /// Installs a freshly loaded workspace, laying open buffers over the disk's text.
    pub fn install(&mut self, mut ws: Workspace) -> Vec<Publish> {
        self.indexing.remove(&ws.root);
        if self.has_root(&ws.root) {
            return Vec::new();
        }
        for (path, doc) in &self.open {
            if path.starts_with(ws.chant_dir()) {
                ws.update(path, Some(doc.text()));
            }
        }
        self.roots.push(ws);
        let i = self.roots.len() - 1;
        self.publish_all(i)
    }

    /// For a file opened outside every known workspace: load the nearest `.chant/` root.
    pub fn ensure_root_for(&mut self, path: &Path) -> Vec<Publish> {
        if self.root_index(path).is_some() {
            return Vec::new();
        }
        let Some(root) = path.parent().and_then(find_root) else {
            return Vec::new();
        };
        if self.indexing.contains(&root) {
            return Vec::new();
        }
        let ws = crate::actions::load_workspace(root, self.fs.clone());
        self.install(ws)
    }

    pub fn remove_root(&mut self, root: &Path) -> Vec<Publish> {
        let Some(i) = self.roots.iter().position(|ws| ws.root == root) else {
            return Vec::new();
        };
        let ws = self.roots.remove(i);
        let paths: Vec<PathBuf> = ws.specs().map(|(_, f)| f.path.clone()).collect();
        paths.iter().filter_map(|p| self.clear(p)).collect()
    }

    /// Applies a change of one file (buffer text, or None to re-read the disk).
    pub fn update(&mut self, path: &Path, text: Option<String>) -> Vec<Publish> {
        let Some(i) = self.root_index(path) else {
            return Vec::new();
        };
        let affected = self.roots[i].update(path, text);
        self.publish_affected(i, affected)
    }

    /// Re-reads several files from disk, then publishes once: a rename (delete +
    /// create) must not flash an intermediate "unknown" in between.
    pub fn update_from_disk(&mut self, paths: &[PathBuf]) -> Vec<Publish> {
        let mut per_root: HashMap<usize, Affected> = HashMap::new();
        for path in paths {
            let Some(i) = self.root_index(path) else {
                continue;
            };
            let a = self.roots[i].update(path, None);
            let acc = per_root.entry(i).or_default();
            acc.specs.extend(a.specs);
            acc.removed.extend(a.removed);
            acc.all |= a.all;
        }
        let mut out = Vec::new();
        let mut roots: Vec<_> = per_root.into_iter().collect();
        roots.sort_by_key(|(i, _)| *i);
        for (i, mut affected) in roots {
            // A spec removed and re-created in the batch is not removed.
            affected
                .removed
                .retain(|p| self.roots[i].key_of(p).is_none());
            out.extend(self.publish_affected(i, affected));
        }
        out
    }

    pub fn publish_affected(&mut self, i: usize, affected: Affected) -> Vec<Publish> {
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
        for k in keys {
            out.extend(self.publish_spec(i, k));
        }
        out
    }

    pub fn publish_all(&mut self, i: usize) -> Vec<Publish> {
        let keys: Vec<SpecKey> = self.roots[i].specs().map(|(k, _)| k).collect();
        let mut out: Vec<Publish> = keys
            .into_iter()
            .filter_map(|k| self.publish_spec(i, k))
            .collect();
        let ws = &self.roots[i];
        let enc = self.encoding;
        let converted: Vec<(PathBuf, Vec<lsp::Diagnostic>)> = diagnostics::check_config(ws)
            .into_iter()
            .map(|(path, diags)| {
                let text = match self.open.get(&path) {
                    Some(d) => d.text(),
                    None => std::fs::read_to_string(&path).unwrap_or_default(),
                };
                let lines = crate::syntax::LineIndex::new(&text);
                let lsp_diags = diags
                    .iter()
                    .map(|d| convert::diagnostic(ws, &text, &lines, d, enc))
                    .collect();
                (path, lsp_diags)
            })
            .collect();
        let mut with_diags = HashSet::new();
        for (path, lsp_diags) in converted {
            with_diags.insert(path.clone());
            out.extend(self.send_if_changed(&path, lsp_diags));
        }
        for name in ["config.md", "lsp.yaml"] {
            let path = self.roots[i].chant_dir().join(name);
            if !with_diags.contains(&path) {
                out.extend(self.clear(&path));
            }
        }
        out
    }

    /// Computes and (if changed) publishes one spec's diagnostics. Archived specs are
    /// history: their diagnostics show only while they are open.
    fn publish_spec(&mut self, i: usize, key: SpecKey) -> Option<Publish> {
        let ws = &self.roots[i];
        let file = ws.get(key)?;
        let path = file.path.clone();
        if file.location == Location::Archived && !self.open.contains_key(&path) {
            return self.clear(&path);
        }
        let diags: Vec<lsp::Diagnostic> = diagnostics::check_spec(ws, key)
            .iter()
            .filter(|d| !self.disabled.iter().any(|c| c == d.code))
            .map(|d| convert::diagnostic(ws, &file.text, file.lines(), d, self.encoding))
            .collect();
        self.send_if_changed(&path, diags)
    }

    fn send_if_changed(
        &mut self,
        path: &Path,
        diagnostics: Vec<lsp::Diagnostic>,
    ) -> Option<Publish> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        format!("{diagnostics:?}").hash(&mut h);
        let hash = h.finish();
        let previous = self.published.get(path).copied();
        if previous == Some(hash) || (previous.is_none() && diagnostics.is_empty()) {
            return None;
        }
        self.published.insert(path.to_path_buf(), hash);
        Some(Publish {
            uri: convert::uri(path)?,
            version: self.open.get(path).map(|d| d.version),
            diagnostics,
        })
    }

    /// Clears a file's diagnostics if any were published.
    pub fn clear(&mut self, path: &Path) -> Option<Publish> {
        self.published.remove(path)?;
        Some(Publish {
            uri: convert::uri(path)?,
            diagnostics: Vec::new(),
            version: None,
        })
    }

    /// Whether a path is one the server cares about: a spec or a config file of a root.
    pub fn is_chant_file(&self, path: &Path) -> bool {
        self.root_index(path).is_some_and(|i| {
            let ws = &self.roots[i];
            ws.is_spec_path(path)
                || path == ws.chant_dir().join("config.md")
                || path == ws.chant_dir().join("lsp.yaml")
        })
    }
}
