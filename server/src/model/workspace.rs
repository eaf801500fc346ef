//! One `.chant/` workspace: every spec (active and archived) with its parse, and the
//! indices that answer "who is X", "who depends on X", "which specs belong to issue N"
//! without scanning.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::syntax::{self, LineIndex, SpecSyntax};

use super::agents::{self, Agent};
use super::config::Config;
use super::facts::{GraphFacts, Ref, SpecFacts};
use super::schema::{self, Problem, ProblemKind, Role};
use super::vfs::{decode, Fs};
use super::{graph, id, issue};

pub type SpecKey = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Active,
    Archived,
}

#[derive(Debug)]
pub struct SpecFile {
    pub path: PathBuf,
    /// Path relative to the repository root, `/`-separated.
    pub rel: String,
    pub id: String,
    pub location: Location,
    /// Empty when the file could not be read (see `read_error`). Kept in memory for
    /// open buffers (and by `check`); the server keeps only a fingerprint of the others,
    /// most of which no request ever reads again: see [`SpecFile::source`].
    text: SpecText,
    pub syntax: SpecSyntax,
    pub facts: SpecFacts,
    pub problems: Vec<Problem>,
    /// Whether chant can load this spec (its frontmatter deserializes).
    pub loads: bool,
    /// The body holds an upstream-PR draft section (its siblings' diagnostics ask).
    pub pr_section: bool,
    pub issue: Option<u64>,
    /// Index into the phase table.
    pub phase: Option<usize>,
    pub read_error: Option<String>,
}

impl SpecFile {
    pub fn parse(
        path: PathBuf,
        rel: String,
        id: String,
        location: Location,
        text: Result<String, String>,
        config: &Config,
    ) -> SpecFile {
        let (text, read_error) = match text {
            Ok(t) => (t, None),
            Err(e) => (String::new(), Some(e)),
        };
        let syntax = syntax::parse(&text);
        let facts = SpecFacts::read(&syntax);
        let problems = syntax.root().map(schema::check).unwrap_or_default();
        let loads = read_error.is_none()
            && syntax
                .frontmatter()
                .is_none_or(|fm| fm.error.is_none() && fm.tab_indents.is_empty())
            && !problems.iter().any(|p| p.kind != ProblemKind::UnknownKey);
        let pr_section = text.contains(super::facts::PR_SECTION_MARKER);
        let title = syntax.body.title.as_ref().map(|t| t.text.as_str());
        let issue = issue::issue_number(&facts, title);
        let phase = config.phases.index_of(&id, &facts, title);
        SpecFile {
            text: SpecText::Kept {
                text: Arc::new(text),
                lines: std::sync::OnceLock::new(),
            },
            path,
            rel,
            id,
            location,
            syntax,
            facts,
            problems,
            loads,
            pr_section,
            issue,
            phase,
            read_error,
        }
    }

    /// The text this parse was made from, with its line index: from memory when kept,
    /// else read again from disk. None when the disk no longer holds that text (it
    /// changed since, and the change is on its way to the model) or cannot be read:
    /// ranges of this parse would point into the wrong text.
    pub fn source(&self) -> Option<Source<'_>> {
        match &self.text {
            SpecText::Kept { text, lines } => Some(Source {
                text: std::borrow::Cow::Borrowed(text.as_str()),
                lines: std::borrow::Cow::Borrowed(lines.get_or_init(|| LineIndex::new(text))),
            }),
            SpecText::OnDisk { fs, len, hash } => {
                let text = decode(fs.read(&self.path).ok()?).ok()?;
                if text.len() != *len || fingerprint(&text) != *hash {
                    return None;
                }
                let lines = LineIndex::new(&text);
                Some(Source {
                    text: std::borrow::Cow::Owned(text),
                    lines: std::borrow::Cow::Owned(lines),
                })
            }
        }
    }

    /// The text when it is kept in memory (an open buffer; every spec in `check`).
    pub fn kept_text(&self) -> Option<&str> {
        match &self.text {
            SpecText::Kept { text, .. } => Some(text),
            SpecText::OnDisk { .. } => None,
        }
    }

    /// The length of the text in bytes, kept or not.
    pub fn text_len(&self) -> usize {
        match &self.text {
            SpecText::Kept { text, .. } => text.len(),
            SpecText::OnDisk { len, .. } => *len,
        }
    }

    /// Forgets the text, keeping what tells it apart from what the disk holds later.
    fn release_text(&mut self, fs: Arc<dyn Fs>) {
        if let SpecText::Kept { text, .. } = &self.text {
            if self.read_error.is_none() {
                let (len, hash) = (text.len(), fingerprint(text));
                self.text = SpecText::OnDisk { fs, len, hash };
            }
        }
    }

    /// A frontmatter field's non-empty single value (`branch`, `target_branch`, ...).
    pub fn scalar(&self, key: &str) -> Option<&str> {
        self.syntax
            .root()?
            .get(key)?
            .value
            .as_scalar()
            .filter(|v| !v.is_empty())
    }

    /// Every value of a field whose role names something outside the spec (the field
    /// table in `schema.rs` decides which), in document order. Read from the tree when
    /// asked: kept, they would repeat its values for every spec.
    pub fn refs(&self) -> Vec<Ref> {
        self.syntax
            .root()
            .map(super::facts::refs)
            .unwrap_or_default()
    }

    /// The values of one role, with their fields.
    pub fn refs_of(&self, role: Role) -> impl Iterator<Item = Ref> {
        self.refs().into_iter().filter(move |r| r.role == role)
    }

    /// Every repository path the spec names (path fields and its prompt's file).
    pub fn named_paths(&self) -> impl Iterator<Item = (Ref, String)> {
        self.refs().into_iter().filter_map(|r| {
            let p = r.path()?;
            Some((r, p))
        })
    }

    /// What other specs' diagnostics read of this one.
    pub fn graph(&self) -> GraphFacts {
        GraphFacts::of(&self.facts, &self.syntax, self.loads, self.pr_section)
    }

    pub fn title(&self) -> Option<&str> {
        self.syntax.body.title.as_ref().map(|t| t.text.as_str())
    }
}

/// Where a spec's text is: see [`SpecFile::source`].
enum SpecText {
    Kept {
        text: Arc<String>,
        /// Built on first use: most specs never need positions.
        lines: std::sync::OnceLock<LineIndex>,
    },
    OnDisk {
        fs: Arc<dyn Fs>,
        len: usize,
        hash: u64,
    },
}

impl std::fmt::Debug for SpecText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpecText::Kept { text, .. } => write!(f, "Kept({} bytes)", text.len()),
            SpecText::OnDisk { len, hash, .. } => write!(f, "OnDisk({len} bytes, {hash:016x})"),
        }
    }
}

/// A spec's text with its line index, borrowed when kept in memory, else just read.
pub struct Source<'a> {
    text: std::borrow::Cow<'a, str>,
    lines: std::borrow::Cow<'a, LineIndex>,
}

impl Source<'_> {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }
}

/// A fast 64-bit hash of a text (FxHash's step over 8-byte words): tells whether the disk
/// still holds the text a parse was made from. Not for anything an attacker chooses.
pub fn fingerprint(text: &str) -> u64 {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let mut h: u64 = text.len() as u64;
    let mut chunks = text.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(26);
    }
    let mut w = [0u8; 8];
    let rest = chunks.remainder();
    w[..rest.len()].copy_from_slice(rest);
    (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(26)
}

/// Cheap to clone: the writer changes a copy while requests read the previous one, so
/// every large part is shared (`Arc`) and copied only when it actually changes.
#[derive(Clone)]
pub struct Workspace {
    /// The repository root: the directory that holds `.chant/`.
    pub root: PathBuf,
    pub config: Config,
    pub fs: Arc<dyn Fs>,
    /// Version control, for the few rules that need it (a pushed branch).
    pub vcs: Arc<dyn super::vcs::Vcs>,
    /// The machine's processes, for whether an agent's lock is live.
    pub processes: Arc<dyn agents::Processes>,
    /// What the agent files say, per spec ID (only specs that have some).
    agents: Arc<HashMap<String, Agent>>,
    /// Counts the changes of `agents`.
    agents_changes: u64,
    files: Vec<Option<Arc<SpecFile>>>,
    free: Vec<SpecKey>,
    by_path: Arc<HashMap<PathBuf, SpecKey>>,
    /// The reverse indices, one map per [`Ix`], each from a string to the specs it names.
    indices: [Arc<Index>; IX_COUNT],
    /// Every ID in order: dated IDs sort by date, so completion can list newest first and
    /// stop early instead of ranking the whole workspace.
    sorted_ids: Arc<BTreeSet<String>>,
    cycles: Arc<graph::Cycles>,
    /// Whether specs read from disk keep their text in memory (`check`, which reports on
    /// all of them at once) or only a fingerprint (the server, where requests touch few).
    pub keep_texts: bool,
}

type Index = HashMap<String, Vec<SpecKey>>;

/// What a change touched: the specs whose diagnostics must be recomputed.
#[derive(Debug, Default)]
pub struct Affected {
    pub specs: HashSet<SpecKey>,
    /// Files that stopped being specs (deleted, moved out): clear their diagnostics.
    pub removed: Vec<PathBuf>,
    /// Everything must be rechecked (configuration changed).
    pub all: bool,
}

impl Workspace {
    pub fn chant_dir(&self) -> PathBuf {
        self.root.join(".chant")
    }

    pub fn new(root: PathBuf, fs: Arc<dyn Fs>) -> Workspace {
        let (config_md, lsp_yaml) = read_config_files(&*fs, &root.join(".chant"));
        let config = Config::load(config_md.as_deref(), lsp_yaml.as_deref());
        Workspace {
            root,
            config,
            fs,
            vcs: Arc::new(super::vcs::NoVcs),
            processes: Arc::new(agents::Unknown),
            agents: Default::default(),
            agents_changes: 0,
            files: Vec::new(),
            free: Vec::new(),
            by_path: Default::default(),
            indices: Default::default(),
            sorted_ids: Default::default(),
            cycles: Default::default(),
            keep_texts: true,
        }
    }

    /// Reads every spec under `specs/` (recursive) and `archive/` (flat and dated).
    pub fn load(root: PathBuf, fs: Arc<dyn Fs>) -> Workspace {
        Workspace::load_keeping(root, fs, true)
    }

    /// As [`Workspace::load`]; `keep_texts` false keeps the texts of specs read from
    /// disk out of memory (see [`Workspace::keep_texts`]).
    pub fn load_keeping(root: PathBuf, fs: Arc<dyn Fs>, keep_texts: bool) -> Workspace {
        let mut ws = Workspace::new(root, fs);
        ws.keep_texts = keep_texts;
        let (paths, specs_files) = ws.walk_disk();
        // Reading and parsing are independent per file: spread them over the cores (each
        // spec straight into its `Arc`, with its index entries), then index on this thread.
        let parsed = crate::par::flat_map(&paths, |p| {
            let file = ws.parse_from_disk(p.clone())?;
            let entries = index_entries(&file);
            Some((Arc::new(file), entries))
        });
        ws.files.reserve(parsed.len());
        Arc::make_mut(&mut ws.by_path).reserve(parsed.len());
        // Sized once rather than grown (each growth rehashes every key): in these
        // indices nearly every entry is a key of its own (labels and issues repeat).
        let mut sizes = [0usize; IX_COUNT];
        for (_, entries) in &parsed {
            for (ix, _) in entries {
                sizes[*ix as usize] += 1;
            }
        }
        for ix in [
            Ix::Id,
            Ix::Dependents,
            Ix::Driver,
            Ix::Mentions,
            Ix::FileRefs,
        ] {
            Arc::make_mut(&mut ws.indices[ix as usize]).reserve(sizes[ix as usize]);
        }
        for (file, entries) in parsed {
            ws.insert_loaded(file, entries);
        }
        ws.sorted_ids = Arc::new(ws.indices[Ix::Id as usize].keys().cloned().collect());
        ws.cycles = Arc::new(graph::Cycles::compute(&ws));
        for path in agents::paths_on_disk_given(&*ws.fs, &ws.chant_dir(), specs_files) {
            ws.update_agent(&path);
        }
        ws
    }

    /// Re-reads one agent file; the spec ID it belongs to, if it is one.
    fn update_agent(&mut self, path: &Path) -> Option<String> {
        let (kind, id) = agents::agent_file(&self.chant_dir(), path)?;
        let mut agent = self.agents.get(&id).cloned().unwrap_or_default();
        agents::read(&*self.fs, path, kind, &mut agent);
        if self.agents.get(&id) != Some(&agent) {
            self.agents_changes += 1;
            let map = Arc::make_mut(&mut self.agents);
            if agent.is_empty() {
                map.remove(&id);
            } else {
                map.insert(id.clone(), agent);
            }
        }
        Some(id)
    }

    /// What the agent files say about spec `id`.
    pub fn agent(&self, id: &str) -> Option<&Agent> {
        self.agents.get(id)
    }

    /// Changes whenever some agent file's meaning changed (lenses show it: the server asks
    /// the client to refresh them).
    pub fn agents_version(&self) -> u64 {
        self.agents_changes
    }

    /// The agent files this workspace knows of (to re-read when their folder goes).
    pub fn agent_paths(&self) -> Vec<PathBuf> {
        let chant = self.chant_dir();
        let mut out = Vec::new();
        for (id, a) in self.agents.iter() {
            if a.lock.is_some() {
                out.push(agents::lock_path(&chant, id));
            }
            if a.status.is_some() {
                out.push(agents::status_path(&chant, id));
            }
        }
        out
    }

    /// Every lock with the PID it names.
    pub fn agent_locks(&self) -> impl Iterator<Item = (PathBuf, u32)> + '_ {
        let chant = self.chant_dir();
        self.agents.iter().filter_map(move |(id, a)| {
            let pid = a.lock.as_ref()?.pid;
            Some((agents::lock_path(&chant, id), pid))
        })
    }

    /// The agent files on disk now.
    pub fn agent_paths_on_disk(&self) -> Vec<PathBuf> {
        agents::paths_on_disk(&*self.fs, &self.chant_dir())
    }

    pub fn spec_paths_on_disk(&self) -> Vec<PathBuf> {
        self.walk_disk().0
    }

    /// The spec files on disk, and the other files directly in `specs/` (where agents
    /// leave their reports) when the walk listed that folder.
    fn walk_disk(&self) -> (Vec<PathBuf>, Option<Vec<PathBuf>>) {
        let mut walk = Walk {
            fs: &*self.fs,
            inside: self.fs.real_path(&self.root),
            visited: HashSet::new(),
            out: Vec::new(),
        };
        let chant = self.chant_dir();
        let mut specs_files = Vec::new();
        let listed = walk.collect_md(&chant.join("specs"), usize::MAX, Some(&mut specs_files));
        walk.collect_md(&chant.join("archive"), 1, None);
        (walk.out, listed.then_some(specs_files))
    }

    /// Whether `path` is where a spec lives in this workspace.
    pub fn is_spec_path(&self, path: &Path) -> bool {
        self.location_of(path).is_some()
    }

    fn location_of(&self, path: &Path) -> Option<Location> {
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            return None;
        }
        let rel = path.strip_prefix(self.chant_dir()).ok()?;
        let mut parts = rel.components();
        let top = parts.next()?.as_os_str().to_str()?;
        let depth = rel.components().count();
        match top {
            "specs" if depth >= 2 => Some(Location::Active),
            "archive" if (2..=3).contains(&depth) => Some(Location::Archived),
            _ => None,
        }
    }

    fn insert_from_disk(&mut self, path: PathBuf) -> Option<SpecKey> {
        let file = self.parse_from_disk(path)?;
        self.insert_parsed(Arc::new(file))
    }

    fn parse_from_disk(&self, path: PathBuf) -> Option<SpecFile> {
        let text = self.read_spec(&path);
        let mut file = self.parse(path, text)?;
        if !self.keep_texts {
            file.release_text(self.fs.clone());
        }
        Some(file)
    }

    fn read_spec(&self, path: &Path) -> Result<String, String> {
        self.fs
            .read(path)
            .map_err(|e| format!("cannot read this file: {e}"))
            .and_then(decode)
    }

    fn parse(&self, path: PathBuf, text: Result<String, String>) -> Option<SpecFile> {
        let location = self.location_of(&path)?;
        let stem = path.file_stem()?;
        let id = stem.to_string_lossy().into_owned();
        // chant names a spec by its file name; one that is not UTF-8 cannot be named.
        let text = if stem.to_str().is_none() {
            Err(format!("the file name is not valid UTF-8 (shown as `{id}`): chant cannot name this spec; rename the file"))
        } else {
            text
        };
        let rel = self.rel(&path);
        // A bug in the parser must cost one file an `internal-error`, not the whole load.
        let parse = || {
            SpecFile::parse(
                path.clone(),
                rel.clone(),
                id.clone(),
                location,
                text,
                &self.config,
            )
        };
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse)) {
            Ok(file) => Some(file),
            Err(panic) => {
                let why = crate::diagnostics::internal_error_message(&*panic);
                Some(SpecFile::parse(
                    path,
                    rel,
                    id,
                    location,
                    Err(why),
                    &self.config,
                ))
            }
        }
    }

    /// Adds or replaces the spec at `path` with `text` (an open buffer or the disk).
    fn insert(&mut self, path: PathBuf, text: Result<String, String>) -> Option<SpecKey> {
        let file = self.parse(path, text)?;
        self.insert_parsed(Arc::new(file))
    }

    /// [`Self::insert_parsed`] for a fresh load: `entries` are the file's
    /// [`index_entries`], and `sorted_ids` is left to the caller (built once at the end).
    fn insert_loaded(&mut self, file: Arc<SpecFile>, entries: Vec<(Ix, String)>) {
        if self.by_path.contains_key(&file.path) {
            // The same path listed twice: the ordinary replacement.
            self.insert_parsed(file);
            return;
        }
        let key = self.files.len() as SpecKey;
        Arc::make_mut(&mut self.by_path).insert(file.path.clone(), key);
        self.files.push(Some(file));
        for (ix, k) in entries {
            Arc::make_mut(&mut self.indices[ix as usize])
                .entry(k)
                .or_default()
                .push(key);
        }
    }

    fn insert_parsed(&mut self, file: Arc<SpecFile>) -> Option<SpecKey> {
        let path = file.path.clone();
        if let Some(&key) = self.by_path.get(&path) {
            let old = self.files[key as usize].replace(file);
            let before = old.as_deref().map(index_entries).unwrap_or_default();
            self.reindex(key, before);
            return Some(key);
        }
        let key = match self.free.pop() {
            Some(k) => {
                self.files[k as usize] = Some(file);
                k
            }
            None => {
                self.files.push(Some(file));
                (self.files.len() - 1) as SpecKey
            }
        };
        Arc::make_mut(&mut self.by_path).insert(path, key);
        self.reindex(key, Vec::new());
        Some(key)
    }

    pub fn rel(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        rel.to_string_lossy().replace('\\', "/")
    }

    /// Brings the indices from `before` (the spec's previous entries) to its current
    /// entries, touching (and so copying, when a snapshot shares it) only the maps whose
    /// entries differ: a keystroke in a spec's prose usually changes none.
    fn reindex(&mut self, key: SpecKey, before: Vec<(Ix, String)>) {
        let after = self
            .files
            .get(key as usize)
            .and_then(Option::as_deref)
            .map(index_entries)
            .unwrap_or_default();
        for (ix, k) in before.iter().filter(|e| !after.contains(e)) {
            let map = Arc::make_mut(&mut self.indices[*ix as usize]);
            if let Some(v) = map.get_mut(k) {
                v.retain(|x| *x != key);
                if v.is_empty() {
                    map.remove(k);
                    if matches!(ix, Ix::Id) {
                        Arc::make_mut(&mut self.sorted_ids).remove(k);
                    }
                }
            }
        }
        for (ix, k) in after.iter().filter(|e| !before.contains(e)) {
            if matches!(ix, Ix::Id) && !self.sorted_ids.contains(k) {
                Arc::make_mut(&mut self.sorted_ids).insert(k.clone());
            }
            Arc::make_mut(&mut self.indices[*ix as usize])
                .entry(k.clone())
                .or_default()
                .push(key);
        }
    }

    fn drop_spec(&mut self, key: SpecKey, path: &Path) {
        let old = self.files.get_mut(key as usize).and_then(Option::take);
        let before = old.as_deref().map(index_entries).unwrap_or_default();
        self.reindex(key, before);
        self.free.push(key);
        Arc::make_mut(&mut self.by_path).remove(path);
    }

    fn lookup(&self, ix: Ix, k: &str) -> impl Iterator<Item = (SpecKey, &SpecFile)> {
        self.indices[ix as usize]
            .get(k)
            .into_iter()
            .flatten()
            .filter_map(|k| self.get(*k).map(|f| (*k, f)))
    }

    /// Re-reads or drops one file after a change on disk or in an editor, returning
    /// which specs need fresh diagnostics. `text` None = read from disk.
    pub fn update(&mut self, path: &Path, text: Option<String>) -> Affected {
        if path.starts_with(self.root.join(".git")) {
            // HEAD or a ref moved: the specs whose diagnostics read git.
            return Affected {
                specs: self.git_readers().into_iter().collect(),
                ..Affected::default()
            };
        }
        let chant = self.chant_dir();
        // An agent took, left or reported on a spec: its diagnostics and lenses change.
        if let Some(id) = self.update_agent(path) {
            return Affected {
                specs: self.by_id(&id).map(|(k, _)| k).collect(),
                ..Affected::default()
            };
        }
        if path == chant.join("config.md") || path == chant.join("lsp.yaml") {
            let (mut config_md, mut lsp_yaml) = read_config_files(&*self.fs, &chant);
            if let Some(t) = text {
                if path.ends_with("config.md") {
                    config_md = Some(t);
                } else {
                    lsp_yaml = Some(t);
                }
            }
            self.config = Config::load(config_md.as_deref(), lsp_yaml.as_deref());
            self.reparse_all();
            return Affected {
                all: true,
                ..Affected::default()
            };
        }
        let mut affected = Affected::default();
        let rel = self.rel(path);
        affected
            .specs
            .extend(self.lookup(Ix::FileRefs, &rel).map(|(k, _)| k));
        let old = self.by_path.get(path).copied();
        let before = old
            .and_then(|k| self.get(k))
            .map(|f| (f.graph(), f.issue, f.id.clone()));
        let exists = text.is_some() || self.fs.exists(path);
        let key = if exists && self.is_spec_path(path) {
            match text {
                Some(t) => self.insert(path.to_path_buf(), Ok(t)),
                None => self.insert_from_disk(path.to_path_buf()),
            }
        } else {
            if let Some(k) = old {
                self.drop_spec(k, path);
                affected.removed.push(path.to_path_buf());
            }
            None
        };
        let after = key
            .and_then(|k| self.get(k))
            .map(|f| (f.graph(), f.issue, f.id.clone()));
        if let Some(k) = key {
            affected.specs.insert(k);
        }
        if before.is_none() && after.is_none() {
            return affected;
        }
        if before.as_ref().map(|b| &b.0) == after.as_ref().map(|a| &a.0) {
            return affected;
        }
        // Facts other specs read changed: dependents, same-issue specs, group, cycles.
        let added_or_removed = before.is_none() || after.is_none();
        for (_, issue, id) in before.iter().chain(after.iter()) {
            let mut touched: Vec<SpecKey> = self.dependents(id).map(|(k, _)| k).collect();
            if let Some(n) = issue {
                touched.extend(self.issue_specs(*n).map(|(k, _)| k));
            }
            if added_or_removed {
                touched.extend(self.by_id(id).map(|(k, _)| k));
                touched.extend(self.members_of(id).map(|(k, _)| k));
                touched.extend(self.lookup(Ix::Mentions, id).map(|(k, _)| k));
            }
            affected.specs.extend(touched);
            if added_or_removed {
                // Dependencies typed inexactly may now resolve differently.
                for (dep, keys) in self.indices[Ix::Dependents as usize].iter() {
                    if dep != id && id.contains(dep.as_str()) {
                        affected.specs.extend(keys.iter().copied());
                    }
                }
            }
        }
        let deps_changed = before.as_ref().map(|b| &b.0.deps) != after.as_ref().map(|a| &a.0.deps)
            || added_or_removed;
        // Cycles change only if this spec was on one, or one of its new dependencies now
        // leads back to it; otherwise the (whole-graph) recomputation is skipped.
        let cycles_may_change = deps_changed
            && (added_or_removed
                || key.is_none_or(|k| self.cycles.contains(k) || graph::closes_cycle(self, k)));
        if cycles_may_change {
            let old_cycles = std::mem::take(&mut self.cycles);
            self.cycles = Arc::new(graph::Cycles::compute(self));
            affected
                .specs
                .extend(old_cycles.members().chain(self.cycles.members()));
        }
        affected
    }

    fn reparse_all(&mut self) {
        let specs: Vec<Arc<SpecFile>> = self.files.iter().flatten().cloned().collect();
        // Each spec is parsed again under the new configuration, on all cores.
        let ws = &*self;
        let parsed = crate::par::flat_map_background(&specs, |f| {
            // A kept text is an editor's buffer (or `check`'s): parse it again as it is.
            // The others are parsed from what the disk holds now.
            match (f.kept_text(), &f.read_error) {
                (Some(text), None) => ws.parse(f.path.clone(), Ok(text.to_string())),
                _ => ws.parse_from_disk(f.path.clone()),
            }
            .map(Arc::new)
        });
        for file in parsed {
            self.insert_parsed(file);
        }
        self.cycles = Arc::new(graph::Cycles::compute(self));
    }

    /// This workspace under the configuration now on disk, with the editor's unsaved
    /// texts of `config.md` and `lsp.yaml` winning over the disk; every spec reparsed.
    /// Runs off the writer's thread, from a snapshot.
    pub fn reconfigured(&self, config_md: Option<String>, lsp_yaml: Option<String>) -> Workspace {
        let (disk_md, disk_yaml) = read_config_files(&*self.fs, &self.chant_dir());
        let mut ws = self.clone();
        ws.config = Config::load(
            config_md.or(disk_md).as_deref(),
            lsp_yaml.or(disk_yaml).as_deref(),
        );
        ws.reparse_all();
        ws
    }

    pub fn get(&self, key: SpecKey) -> Option<&SpecFile> {
        self.files.get(key as usize).and_then(Option::as_deref)
    }

    pub fn key_of(&self, path: &Path) -> Option<SpecKey> {
        self.by_path.get(path).copied()
    }

    pub fn specs(&self) -> impl Iterator<Item = (SpecKey, &SpecFile)> {
        self.files
            .iter()
            .enumerate()
            .filter_map(|(k, f)| f.as_deref().map(|f| (k as SpecKey, f)))
    }

    pub fn len(&self) -> usize {
        self.by_path.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }

    /// Every spec file with this exact ID (normally one).
    pub fn by_id(&self, id: &str) -> impl Iterator<Item = (SpecKey, &SpecFile)> {
        self.lookup(Ix::Id, id)
    }

    /// The spec a `depends_on` entry names exactly, preferring an active one.
    pub fn resolve_exact(&self, id: &str) -> Option<(SpecKey, &SpecFile)> {
        let mut best = None;
        for (k, f) in self.by_id(id) {
            if f.location == Location::Active {
                return Some((k, f));
            }
            best.get_or_insert((k, f));
        }
        best
    }

    /// Specs whose `depends_on` names `id` exactly.
    pub fn dependents(&self, id: &str) -> impl Iterator<Item = (SpecKey, &SpecFile)> {
        self.lookup(Ix::Dependents, id)
    }

    pub fn issue_specs(&self, n: u64) -> impl Iterator<Item = (SpecKey, &SpecFile)> {
        self.lookup(Ix::Issue, &n.to_string())
    }

    /// The phase of the maintainer workflow this spec belongs to.
    pub fn phase(&self, f: &SpecFile) -> Option<&super::phases::Phase> {
        f.phase.and_then(|i| self.config.phases.phases.get(i))
    }

    /// The specs of issue `n` in the phase named `phase`.
    pub fn issue_specs_in_phase<'a>(
        &'a self,
        n: u64,
        phase: &str,
    ) -> impl Iterator<Item = (SpecKey, &'a SpecFile)> + 'a {
        let idx = self.config.phases.index(phase);
        self.issue_specs(n)
            .filter(move |(_, f)| idx.is_some() && f.phase == idx)
    }

    /// Specs that may name spec `id`: by `depends_on`, in `members` or the body, or by the
    /// path `rel` of its file. Each once, in key order.
    pub fn referencing(&self, id: &str, rel: Option<&str>) -> Vec<SpecKey> {
        let mut keys: Vec<SpecKey> = self.dependents(id).map(|(k, _)| k).collect();
        keys.extend(self.mentioning(id).map(|(k, _)| k));
        if let Some(rel) = rel {
            keys.extend(self.naming_path(rel).map(|(k, _)| k));
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Members of a driver: specs whose ID is `<driver>.<N>…`.
    pub fn members_of(&self, driver: &str) -> impl Iterator<Item = (SpecKey, &SpecFile)> {
        self.lookup(Ix::Driver, driver)
    }

    /// Specs whose body or `members` list names `id`.
    pub fn mentioning(&self, id: &str) -> impl Iterator<Item = (SpecKey, &SpecFile)> {
        self.lookup(Ix::Mentions, id)
    }

    /// Specs naming this path (relative to the root) in a path field.
    pub fn naming_path(&self, rel: &str) -> impl Iterator<Item = (SpecKey, &SpecFile)> {
        self.lookup(Ix::FileRefs, rel.trim_start_matches("./"))
    }

    /// Every label used in the workspace, with how many specs use it.
    pub fn labels(&self) -> impl Iterator<Item = (&str, usize)> {
        self.indices[Ix::Labels as usize]
            .iter()
            .map(|(l, v)| (l.as_str(), v.len()))
    }

    /// The spec stored at this path (relative to the root).
    pub fn by_rel(&self, rel: &str) -> Option<(SpecKey, &SpecFile)> {
        let k = self.key_of(&self.root.join(rel.trim_start_matches("./")))?;
        self.get(k).map(|f| (k, f))
    }

    /// All IDs, newest (greatest) first.
    pub fn ids_newest_first(&self) -> impl Iterator<Item = &str> {
        self.sorted_ids.iter().rev().map(String::as_str)
    }

    /// All IDs, for inexact resolution.
    pub fn ids(&self) -> impl Iterator<Item = &str> + Clone {
        self.indices[Ix::Id as usize].keys().map(String::as_str)
    }

    /// Every path (relative to the root) some spec names in a path field or as its
    /// prompt: the files outside the specs whose changes re-check specs.
    pub fn named_paths(&self) -> impl Iterator<Item = &str> {
        self.indices[Ix::FileRefs as usize]
            .keys()
            .map(String::as_str)
    }

    /// Changes whenever the set of named paths may have changed (a cheap test for the
    /// file watcher).
    /// Changes when the set of spec IDs or who depends on whom changes (what code lenses
    /// and resolved-ID tokens of other specs show).
    pub fn graph_version(&self) -> (usize, usize) {
        (
            Arc::as_ptr(&self.indices[Ix::Id as usize]) as usize,
            Arc::as_ptr(&self.indices[Ix::Dependents as usize]) as usize,
        )
    }

    pub fn named_paths_version(&self) -> usize {
        Arc::as_ptr(&self.indices[Ix::FileRefs as usize]) as usize
    }

    /// Specs whose diagnostics read git (a branch pushed or not): re-checked when the
    /// repository's HEAD or refs change.
    pub fn git_readers(&self) -> Vec<SpecKey> {
        self.specs()
            .filter(|(_, f)| self.phase(f).is_some_and(|p| p.name == "upstream-pr"))
            .map(|(k, _)| k)
            .collect()
    }

    pub fn cycles(&self) -> &graph::Cycles {
        &self.cycles
    }

    /// Whether a path (relative to the repository root, or absolute) exists.
    pub fn file_exists(&self, path: &str) -> bool {
        self.fs.exists(&self.root.join(path))
    }
}

/// The reverse indices a workspace keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ix {
    /// ID -> spec files with that ID.
    Id,
    /// `depends_on` entry as written -> specs listing it.
    Dependents,
    /// Issue number -> specs of that investigation.
    Issue,
    /// Driver ID -> its member specs.
    Driver,
    /// ID -> specs naming it in the body or in `members`.
    Mentions,
    /// Path (relative) -> specs naming it in a path field.
    FileRefs,
    /// Label -> specs carrying it.
    Labels,
}

const IX_COUNT: usize = 7;

fn index_entries(f: &SpecFile) -> Vec<(Ix, String)> {
    let facts = &f.facts;
    let mut out = vec![(Ix::Id, f.id.clone())];
    out.extend(
        facts
            .deps()
            .iter()
            .map(|d| (Ix::Dependents, d.value.clone())),
    );
    out.extend(f.issue.map(|n| (Ix::Issue, n.to_string())));
    out.extend(id::driver_of(&f.id).map(|d| (Ix::Driver, d.to_string())));
    out.extend(
        f.syntax
            .body
            .id_mentions
            .iter()
            .map(|m| (Ix::Mentions, m.id.clone())),
    );
    // Read from the tree once for both indices (this runs on every keystroke).
    for r in f.refs() {
        // Paths a spec names in its path fields, and its prompt's file (diagnostics and
        // hovers depend on them; the field table says which fields those are).
        if let Some(p) = r.path() {
            out.push((Ix::FileRefs, p));
        }
        // Spec-ID fields other than `depends_on` (which has its own index).
        if r.role == Role::SpecIds && r.field != "depends_on" {
            out.push((Ix::Mentions, r.item.value));
        }
    }
    out.extend(facts.label_values().map(|l| (Ix::Labels, l.to_string())));
    // One entry per (index, key): a spec listed twice is still one dependent.
    out.sort_by(|a, b| (a.0 as usize, &a.1).cmp(&(b.0 as usize, &b.1)));
    out.dedup_by(|a, b| a.0 as usize == b.0 as usize && a.1 == b.1);
    out
}

/// The texts of `.chant/config.md` and `.chant/lsp.yaml`, when readable.
fn read_config_files(fs: &dyn Fs, chant: &Path) -> (Option<String>, Option<String>) {
    let read = |name: &str| {
        fs.read(&chant.join(name))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
    };
    (read("config.md"), read("lsp.yaml"))
}

/// A walk for spec files that visits each directory once by its real identity and does not
/// follow links out of the workspace: a link loop under `specs/` would otherwise never end
/// (or list every spec once per turn), and a link to `/` would index the disk.
struct Walk<'a> {
    fs: &'a dyn Fs,
    /// The workspace root with links resolved; None if it cannot be resolved.
    inside: Option<PathBuf>,
    visited: HashSet<crate::model::vfs::DirId>,
    out: Vec<PathBuf>,
}

impl Walk<'_> {
    /// Collects the `.md` files under `dir`, and into `others` the other files directly
    /// in it; whether `dir` was listed.
    fn collect_md(
        &mut self,
        dir: &Path,
        depth: usize,
        mut others: Option<&mut Vec<PathBuf>>,
    ) -> bool {
        if let Some(id) = self.fs.dir_id(dir) {
            if !self.visited.insert(id) {
                tracing::debug!("{} was already walked (a link loop?)", dir.display());
                return false;
            }
        }
        if let (Some(inside), Some(real)) = (&self.inside, self.fs.real_path(dir)) {
            if !real.starts_with(inside) {
                tracing::warn!(
                    "not following {} out of the workspace to {}",
                    dir.display(),
                    real.display()
                );
                return false;
            }
        }
        let Ok(entries) = self.fs.list(dir) else {
            return false;
        };
        for (path, is_dir) in entries {
            if is_dir {
                if depth > 0 {
                    self.collect_md(&path, depth - 1, None);
                }
            } else if path.extension().and_then(|e| e.to_str()) == Some("md") {
                self.out.push(path);
            } else if let Some(others) = others.as_deref_mut() {
                others.push(path);
            }
        }
        true
    }
}

/// The nearest ancestor of `start` (itself included) that holds a `.chant/` directory.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(".chant").is_dir())
        .map(Path::to_path_buf)
}

/// The `.chant/` roots for an editor's workspace folder: the one at or above it, else
/// those a few levels below it (a monorepo with one workspace per project).
pub fn find_roots(folder: &Path) -> Vec<PathBuf> {
    if let Some(root) = find_root(folder) {
        return vec![root];
    }
    let mut out = Vec::new();
    let mut frontier = vec![folder.to_path_buf()];
    for _ in 0..3 {
        let mut next = Vec::new();
        for dir in frontier {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.')
                    || matches!(name.as_ref(), "target" | "node_modules" | "vendor")
                {
                    continue;
                }
                if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                    continue;
                }
                let path = entry.path();
                if path.join(".chant").is_dir() {
                    out.push(path);
                } else {
                    next.push(path);
                }
            }
        }
        frontier = next;
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::{fingerprint, Workspace};
    use crate::model::vfs::MemFs;

    const SPEC: &str =
        "---\nstatus: pending\ndepends_on: [\"2026-01-01-009-zzz\"]\n---\n# Ünïcode title\n";

    fn spec() -> PathBuf {
        PathBuf::from("/r/.chant/specs/2026-01-01-001-aaa.md")
    }

    #[test]
    fn a_text_not_kept_is_read_again_while_the_disk_still_holds_it() {
        let fs = Arc::new(MemFs::new([(spec(), SPEC.to_string())]));
        let mut ws = Workspace::load_keeping(PathBuf::from("/r"), fs.clone(), false);
        let key = ws.key_of(&spec()).expect("loaded");
        let f = ws.get(key).expect("spec");
        assert_eq!(f.kept_text(), None);
        assert_eq!(f.text_len(), SPEC.len());
        assert_eq!(f.source().expect("on disk").text(), SPEC);
        let before = crate::diagnostics::check_spec(&ws, key);
        assert!(
            before.iter().any(|d| d.code == "unknown-dependency"),
            "{before:?}"
        );

        // Changed on disk, not yet told: the old parse's ranges would point into the new
        // text, so there is no source and no diagnostics until the update arrives.
        let changed = SPEC.replace("pending", "completed");
        fs.write(&spec(), changed.clone().into_bytes());
        assert!(ws.get(key).expect("spec").source().is_none());
        assert!(crate::diagnostics::check_spec(&ws, key).is_empty());
        // Same length, other bytes: still told apart.
        let same_len = SPEC.replace("pending", "pendinG");
        fs.write(&spec(), same_len.into_bytes());
        assert!(ws.get(key).expect("spec").source().is_none());

        fs.write(&spec(), changed.clone().into_bytes());
        ws.update(&spec(), None);
        let key = ws.key_of(&spec()).expect("still there");
        assert_eq!(
            ws.get(key).expect("spec").source().expect("fresh").text(),
            changed
        );

        // An editor's buffer is kept, whatever the disk holds.
        ws.update(&spec(), Some("---\nstatus: bogus\n---\n# T\n".into()));
        let f = ws.get(key).expect("spec");
        assert_eq!(f.kept_text(), Some("---\nstatus: bogus\n---\n# T\n"));
        // Closed: the disk's text again, not kept.
        ws.update(&spec(), None);
        assert_eq!(ws.get(key).expect("spec").kept_text(), None);
        fs.remove(&spec());
        assert!(ws.get(key).expect("spec").source().is_none());
    }

    #[test]
    fn fingerprints_tell_texts_apart() {
        let texts = [
            "",
            "a",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "abcdefgh\0",
            "bacdefgh",
        ];
        for (i, a) in texts.iter().enumerate() {
            for b in &texts[i + 1..] {
                assert_ne!(fingerprint(a), fingerprint(b), "{a:?} {b:?}");
            }
        }
    }
}
