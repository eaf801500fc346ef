//! In-memory fakes of the person, the editor, the disk, git and GitHub, for the flows'
//! tests. Each records what was asked of it.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::actions::forge::fake::FakeForge;
use crate::actions::forge::{BoxFuture, Forge};
use crate::actions::git::{Remote, Staged};
use crate::actions::pr_body::Branch;
use crate::syntax::edit::{apply, Edit};

use super::ports::*;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The person: answers from a script (Declined when it runs out), remembers everything.
#[derive(Default)]
pub struct FakePerson {
    pub answers: Mutex<VecDeque<Answer>>,
    pub asked: Mutex<Vec<Question>>,
    pub told: Mutex<Vec<(Level, String)>>,
    pub opened: Mutex<Vec<String>>,
}

impl FakePerson {
    pub fn answering(answers: impl IntoIterator<Item = Answer>) -> FakePerson {
        FakePerson {
            answers: Mutex::new(answers.into_iter().collect()),
            ..Default::default()
        }
    }

    pub fn questions(&self) -> Vec<String> {
        lock(&self.asked).iter().map(|q| q.text.clone()).collect()
    }

    /// Every message, one per line, with its level.
    pub fn messages(&self) -> String {
        lock(&self.told)
            .iter()
            .map(|(l, t)| format!("{l:?}: {t}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Person for FakePerson {
    fn ask(&self, question: Question) -> BoxFuture<'_, Answer> {
        // Neovim shows a question followed by ": ": it must not end in punctuation.
        assert!(
            !question.text.ends_with(['.', ':', '?', '!']),
            "question ends in punctuation: {:?}",
            question.text
        );
        assert!(!question.choices.iter().any(|c| c == "Cancel"));
        lock(&self.asked).push(question);
        let a = lock(&self.answers).pop_front().unwrap_or(Answer::Declined);
        Box::pin(async move { a })
    }

    fn tell(&self, level: Level, text: String) -> BoxFuture<'_, ()> {
        lock(&self.told).push((level, text));
        Box::pin(async {})
    }

    fn open_url(&self, url: String) -> BoxFuture<'_, bool> {
        lock(&self.opened).push(url);
        Box::pin(async { true })
    }

    fn open_file(&self, path: PathBuf) -> BoxFuture<'_, bool> {
        lock(&self.opened).push(path.display().to_string());
        Box::pin(async { true })
    }
}

/// Files in memory; `fail_writes` makes writes of paths containing it fail.
#[derive(Default)]
pub struct MemDisk {
    pub files: Mutex<BTreeMap<PathBuf, String>>,
    pub fail_moves_of: Mutex<Option<String>>,
}

impl MemDisk {
    pub fn new(files: &[(PathBuf, String)]) -> MemDisk {
        MemDisk {
            files: Mutex::new(files.iter().cloned().collect()),
            ..Default::default()
        }
    }

    pub fn get(&self, path: &Path) -> Option<String> {
        lock(&self.files).get(path).cloned()
    }

    pub fn paths(&self) -> Vec<PathBuf> {
        lock(&self.files).keys().cloned().collect()
    }
}

impl Disk for MemDisk {
    fn read(&self, path: &Path) -> io::Result<String> {
        self.get(path)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "not found"))
    }

    fn exists(&self, path: &Path) -> bool {
        lock(&self.files).contains_key(path)
    }

    fn write(&self, path: &Path, text: &str) -> io::Result<()> {
        lock(&self.files).insert(path.to_path_buf(), text.to_string());
        Ok(())
    }

    fn create_new(&self, path: &Path, text: &str) -> io::Result<()> {
        let mut f = lock(&self.files);
        if f.contains_key(path) {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, "exists"));
        }
        f.insert(path.to_path_buf(), text.to_string());
        Ok(())
    }

    fn move_file(&self, from: &Path, to: &Path) -> io::Result<()> {
        if let Some(bad) = lock(&self.fail_moves_of).as_deref() {
            if from.to_string_lossy().contains(bad) {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    "permission denied",
                ));
            }
        }
        let mut f = lock(&self.files);
        if f.contains_key(to) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "destination exists",
            ));
        }
        let text = f
            .remove(from)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "not found"))?;
        f.insert(to.to_path_buf(), text);
        Ok(())
    }

    fn remove_empty_dir(&self, _dir: &Path) {}
}

/// The editor: open buffers, what it was asked to apply, and whether it can.
pub struct FakeEditor {
    pub disk: Arc<MemDisk>,
    pub buffers: Mutex<HashMap<PathBuf, Buffer>>,
    pub can_edit: bool,
    pub can_move: bool,
    /// Applied edits, as (path, version, new buffer text).
    pub edits: Mutex<Vec<(PathBuf, i32, String)>>,
    pub moves: Mutex<Vec<Vec<(PathBuf, PathBuf)>>>,
    pub reloaded: Mutex<Vec<PathBuf>>,
}

impl FakeEditor {
    pub fn new(disk: Arc<MemDisk>) -> FakeEditor {
        FakeEditor {
            disk,
            buffers: Mutex::default(),
            can_edit: true,
            can_move: true,
            edits: Mutex::default(),
            moves: Mutex::default(),
            reloaded: Mutex::default(),
        }
    }

    /// Opens `path` with its disk text, edited by `typed` (unsaved when non-empty).
    pub fn open(&self, path: &Path, typed: &str) {
        let text = self.disk.get(path).unwrap_or_default() + typed;
        lock(&self.buffers).insert(
            path.to_path_buf(),
            Buffer {
                text,
                version: 1,
                dirty: !typed.is_empty(),
            },
        );
    }
}

impl Editor for FakeEditor {
    fn buffer(&self, path: &Path) -> Option<Buffer> {
        lock(&self.buffers).get(path).cloned()
    }

    fn can_edit(&self) -> bool {
        self.can_edit
    }

    fn can_move(&self) -> bool {
        self.can_move
    }

    fn edit<'a>(
        &'a self,
        path: &'a Path,
        version: i32,
        text: &'a str,
        edits: Vec<Edit>,
    ) -> BoxFuture<'a, Result<(), String>> {
        let mut b = lock(&self.buffers);
        let r = match b.get_mut(path) {
            Some(buf) if buf.version == version && buf.text == text => {
                buf.text = apply(text, &edits);
                buf.version += 1;
                buf.dirty = true;
                lock(&self.edits).push((path.to_path_buf(), version, buf.text.clone()));
                Ok(())
            }
            Some(_) => Err("the buffer changed".to_string()),
            None => Err("not open".to_string()),
        };
        Box::pin(async move { r })
    }

    fn move_files<'a>(
        &'a self,
        moves: &'a [(PathBuf, PathBuf)],
    ) -> BoxFuture<'a, Result<(), String>> {
        lock(&self.moves).push(moves.to_vec());
        let mut r = Ok(());
        for (from, to) in moves {
            if let Err(e) = self.disk.move_file(from, to) {
                r = Err(e.to_string());
                break;
            }
            let mut b = lock(&self.buffers);
            if let Some(buf) = b.remove(from) {
                b.insert(to.clone(), buf);
            }
        }
        Box::pin(async move { r })
    }

    fn reload(&self, paths: Vec<PathBuf>) -> BoxFuture<'_, ()> {
        lock(&self.reloaded).extend(paths);
        Box::pin(async {})
    }
}

/// A repository: remotes, branches, what is pushed and merged, and an index of tracked
/// paths with their staged content (read from the disk when staged).
pub struct FakeGit {
    pub disk: Arc<MemDisk>,
    pub remotes: Vec<Remote>,
    pub current: Option<String>,
    pub branches: Vec<String>,
    pub pushed: HashMap<String, String>,
    pub merged: HashMap<String, bool>,
    pub branch: Option<Branch>,
    pub index: Mutex<BTreeMap<PathBuf, String>>,
    pub locked: bool,
}

impl FakeGit {
    pub fn new(disk: Arc<MemDisk>) -> FakeGit {
        let index = Mutex::new(lock(&disk.files).clone());
        FakeGit {
            disk,
            remotes: Vec::new(),
            current: None,
            branches: Vec::new(),
            pushed: HashMap::new(),
            merged: HashMap::new(),
            branch: None,
            index,
            locked: false,
        }
    }
}

impl Git for FakeGit {
    fn is_repo(&self, _root: &Path) -> bool {
        true
    }
    fn remotes(&self, _root: &Path) -> Vec<Remote> {
        self.remotes.clone()
    }
    fn current_branch(&self, _root: &Path) -> Option<String> {
        self.current.clone()
    }
    fn branch_exists(&self, _root: &Path, branch: &str) -> bool {
        self.branches.iter().any(|b| b == branch)
    }
    fn pushed_to(&self, _root: &Path, branch: &str) -> Option<String> {
        self.pushed.get(branch).cloned()
    }
    fn is_merged(&self, _root: &Path, branch: &str, _into: &str) -> Option<bool> {
        self.merged.get(branch).copied()
    }
    fn branch(&self, _root: &Path, _main: &str) -> Option<Branch> {
        self.branch.clone()
    }
    fn stage_moves(&self, _root: &Path, moves: &[(PathBuf, PathBuf)]) -> Result<Staged, String> {
        if self.locked {
            return Err("the git index is locked by another git process (.git/index.lock)".into());
        }
        let mut index = lock(&self.index);
        let mut staged = Staged::Untracked;
        for (from, to) in moves {
            if index.remove(from).is_some() {
                index.insert(to.clone(), self.disk.get(to).unwrap_or_default());
                staged = Staged::Renamed;
            }
        }
        Ok(staged)
    }
}

/// Hands out one fake forge, remembering which hosts were contacted.
pub struct FakeForges {
    pub forge: Arc<FakeForge>,
    pub hosts: Mutex<Vec<String>>,
}

impl Forges for FakeForges {
    fn connect(&self, host: &str) -> Result<Arc<dyn Forge>, String> {
        lock(&self.hosts).push(host.to_string());
        Ok(self.forge.clone())
    }
}
