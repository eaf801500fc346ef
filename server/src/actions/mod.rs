//! Effects at the edge: git, GitHub, the filesystem, and the pure pieces the flows use
//! (the PR draft, a new phase's spec, where an archived spec goes). The flows that combine
//! them are in `flows/`; `real` plugs these into the flows' ports.

pub mod archive;
pub mod forge;
pub mod git;
pub mod pr_body;
pub mod real;
pub mod start_phase;
pub mod token;

use std::path::PathBuf;
use std::sync::Arc;

use crate::model::vfs::Fs;
use crate::model::Workspace;

/// A workspace read through `fs`, with git answering its version-control questions and
/// this machine whether an agent's process runs.
pub fn load_workspace(root: PathBuf, fs: Arc<dyn Fs>, keep_texts: bool) -> Workspace {
    let mut ws = Workspace::load_keeping(root, fs, keep_texts);
    ws.vcs = Arc::new(git::GitVcs);
    ws.processes = Arc::new(crate::model::agents::System);
    ws
}
