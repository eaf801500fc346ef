//! What the model may ask of version control (answered at the edge, by git), behind a
//! trait so the model stays pure and tests can replace it.

use std::path::Path;

pub trait Vcs: Send + Sync {
    /// Whether `branch` is pushed (a remote-tracking ref at its tip); None when there is
    /// no repository or no such local branch.
    fn pushed(&self, root: &Path, branch: &str) -> Option<bool>;
}

/// No version control: every question is unanswerable.
pub struct NoVcs;

impl Vcs for NoVcs {
    fn pushed(&self, _: &Path, _: &str) -> Option<bool> {
        None
    }
}
