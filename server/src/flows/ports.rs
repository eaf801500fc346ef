//! The small interfaces a flow works through. The protocol layer implements them over LSP,
//! git2, octocrab and the real filesystem; the tests replace each with a fake in memory.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::actions::forge::{BoxFuture, Forge};
use crate::actions::git::{Remote, Staged};
use crate::actions::pr_body::Branch;
use crate::syntax::edit::Edit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// A question with named choices; dismissing it, or a "Cancel" the client adds, is `Declined`.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The spec the question is about (editors without dialogs offer the choices there).
    pub spec: PathBuf,
    /// First line: the question; the rest: what the person needs to decide.
    pub text: String,
    /// The choices that go ahead; never "Cancel" (every client offers a way out).
    pub choices: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The index into `Question::choices`.
    Chose(usize),
    Declined,
    /// Nobody answered within `confirm_wait()`.
    Expired,
    /// A newer run of the same action on the same spec took its place.
    Replaced,
}

/// The person at the editor.
pub trait Person: Send + Sync {
    fn ask(&self, question: Question) -> BoxFuture<'_, Answer>;
    fn tell(&self, level: Level, text: String) -> BoxFuture<'_, ()>;
    /// Opens a web page (a pull request) outside the editor; false when the editor cannot.
    fn open_url(&self, url: String) -> BoxFuture<'_, bool>;
    /// Opens a file in the editor; false when the editor cannot.
    fn open_file(&self, path: PathBuf) -> BoxFuture<'_, bool>;
}

/// A spec open in the editor, as the editor last told us.
#[derive(Debug, Clone, PartialEq)]
pub struct Buffer {
    pub text: String,
    pub version: i32,
    /// Differs from the file on disk.
    pub dirty: bool,
}

/// The editor's buffers, and the server's model of the files.
pub trait Editor: Send + Sync {
    fn buffer(&self, path: &Path) -> Option<Buffer>;
    /// The editor applies workspace edits (`workspace/applyEdit`).
    fn can_edit(&self) -> bool;
    /// ... including file renames, so open buffers follow a move.
    fn can_move(&self) -> bool;
    /// Applies `edits`, computed on `text` (the buffer at `version`), to the open buffer;
    /// the editor refuses when the buffer has moved past `version`.
    fn edit<'a>(
        &'a self,
        path: &'a Path,
        version: i32,
        text: &'a str,
        edits: Vec<Edit>,
    ) -> BoxFuture<'a, Result<(), String>>;
    /// Moves files through the editor, all in one workspace edit, never overwriting.
    fn move_files<'a>(
        &'a self,
        moves: &'a [(PathBuf, PathBuf)],
    ) -> BoxFuture<'a, Result<(), String>>;
    /// Tells the server's model that these files changed on disk, and waits until it has them.
    fn reload(&self, paths: Vec<PathBuf>) -> BoxFuture<'_, ()>;
}

/// The filesystem, as the flows change it.
pub trait Disk: Send + Sync {
    fn read(&self, path: &Path) -> io::Result<String>;
    fn exists(&self, path: &Path) -> bool;
    /// Replaces the file atomically (a reader sees the old text or the new, never half).
    fn write(&self, path: &Path, text: &str) -> io::Result<()>;
    /// Creates a file that must not exist yet, with its folders.
    fn create_new(&self, path: &Path, text: &str) -> io::Result<()>;
    /// Moves a file, creating the destination's folders, never replacing an existing file.
    fn move_file(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Removes a folder if it is empty (what a failed move leaves behind).
    fn remove_empty_dir(&self, dir: &Path);
}

/// The repository a workspace lives in; every answer is None/empty without one.
pub trait Git: Send + Sync {
    /// The workspace is in a git repository.
    fn is_repo(&self, root: &Path) -> bool;
    /// The GitHub remotes, in gh's order of preference (upstream, github, origin, others).
    fn remotes(&self, root: &Path) -> Vec<Remote>;
    fn current_branch(&self, root: &Path) -> Option<String>;
    fn branch_exists(&self, root: &Path, branch: &str) -> bool;
    /// The remote `branch` is pushed to, with nothing left unpushed.
    fn pushed_to(&self, root: &Path, branch: &str) -> Option<String>;
    fn is_merged(&self, root: &Path, branch: &str, into: &str) -> Option<bool>;
    /// The checked-out branch's changed files and commit subjects against its base.
    fn branch(&self, root: &Path, main_branch: &str) -> Option<Branch>;
    /// Stages the moves in one index write: the old paths removed, the new ones added with
    /// the content they have now. All or nothing.
    fn stage_moves(&self, root: &Path, moves: &[(PathBuf, PathBuf)]) -> Result<Staged, String>;
}

/// GitHub (or GitHub Enterprise) for one host, with the token for that host.
pub trait Forges: Send + Sync {
    fn connect(&self, host: &str) -> Result<Arc<dyn Forge>, String>;
}
