//! Effects at the edge: git, the filesystem moves of archiving, GitHub. Everything here
//! is reached through small functions the protocol layer calls after the person asked.

pub mod archive;
pub mod forge;
pub mod git;
pub mod pr_body;
pub mod start_phase;
pub mod submit;
pub mod token;

use std::path::PathBuf;
use std::sync::Arc;

use crate::model::vfs::Fs;
use crate::model::Workspace;

/// A workspace read through `fs`, with git answering its version-control questions.
pub fn load_workspace(root: PathBuf, fs: Arc<dyn Fs>) -> Workspace {
    let mut ws = Workspace::load(root, fs);
    ws.vcs = Arc::new(git::GitVcs);
    ws
}
