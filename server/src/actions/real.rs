//! The real filesystem, git repository and GitHub behind the flows' ports
//! (`flows::ports`); the tests use the fakes in `flows::fakes` instead.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::flows::ports::{Disk, Forges, Git};

use super::forge::{Forge, OctocrabForge};
use super::git::{self, Remote, Staged};
use super::pr_body::Branch;
use super::token::{self, RealEnv};

pub struct RealDisk;

impl Disk for RealDisk {
    fn read(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }

    fn write(&self, path: &Path, text: &str) -> io::Result<()> {
        let tmp = path.with_extension("md.chant-lsp.tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, path))
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })
    }

    fn create_new(&self, path: &Path, text: &str) -> io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
    }

    fn move_file(&self, from: &Path, to: &Path) -> io::Result<()> {
        super::archive::move_file(from, to)
    }

    fn remove_empty_dir(&self, dir: &Path) {
        let _ = std::fs::remove_dir(dir); // only succeeds when empty
    }
}

/// Opens the repository for each question: the workspace may gain or lose one any time.
pub struct RealGit;

impl Git for RealGit {
    fn is_repo(&self, root: &Path) -> bool {
        git::open(root).is_some()
    }

    fn remotes(&self, root: &Path) -> Vec<Remote> {
        git::open(root)
            .map(|r| git::remotes(&r))
            .unwrap_or_default()
    }

    fn current_branch(&self, root: &Path) -> Option<String> {
        git::current_branch(&git::open(root)?)
    }

    fn branch_exists(&self, root: &Path, branch: &str) -> bool {
        git::open(root).is_some_and(|r| git::branch_exists(&r, branch))
    }

    fn pushed_to(&self, root: &Path, branch: &str) -> Option<String> {
        git::pushed_to(&git::open(root)?, branch)
    }

    fn is_merged(&self, root: &Path, branch: &str, into: &str) -> Option<bool> {
        git::is_merged(&git::open(root)?, branch, into)
    }

    fn branch(&self, root: &Path, main_branch: &str) -> Option<Branch> {
        let repo = git::open(root)?;
        let base = git::diff_base(&repo, main_branch)?;
        let branch = git::current_branch(&repo)?;
        Some(Branch {
            files: git::changed_files(&repo, &base, &branch)?,
            subjects: git::commit_subjects(&repo, &base, &branch).unwrap_or_default(),
        })
    }

    fn stage_moves(&self, root: &Path, moves: &[(PathBuf, PathBuf)]) -> Result<Staged, String> {
        match git::open(root) {
            Some(repo) => git::stage_moves(&repo, moves),
            None => Ok(Staged::Untracked),
        }
    }
}

/// GitHub through octocrab, with the token gh would use for the host.
pub struct RealForges;

fn http_timeout() -> Duration {
    let secs = std::env::var("CHANT_LSP_GITHUB_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    Duration::from_secs(secs)
}

impl Forges for RealForges {
    fn connect(&self, host: &str) -> Result<Arc<dyn Forge>, String> {
        let env = RealEnv;
        let token = token::resolve(host, &env)?;
        let forge = OctocrabForge::new(&token::api_base(host, &env), &token.secret, http_timeout())
            .map_err(|e| e.explain())?;
        Ok(Arc::new(forge))
    }
}
