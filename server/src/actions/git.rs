//! git, through libgit2: the little the actions need (remotes, branches, "is it pushed",
//! "is it merged", staging a move). No fetch, no push, no network. A fresh `Repository`
//! per operation: git2's is `Send` but not `Sync`, and opening one is cheap.

use std::path::{Path, PathBuf};

use git2::{BranchType, ErrorCode, Repository};

/// A remote that points at a GitHub repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub name: String,
    pub host: String,
    pub owner: String,
    pub repo: String,
}

pub fn open(path: &Path) -> Option<Repository> {
    Repository::discover(path).ok()
}

/// The repository's work tree, canonical.
pub fn workdir(repo: &Repository) -> Option<PathBuf> {
    repo.workdir().and_then(|p| p.canonicalize().ok())
}

/// `https://host/owner/repo(.git)`, `git@host:owner/repo(.git)`, `ssh://git@host[:port]/owner/repo`.
/// Userinfo (which may hold a token) is dropped, never kept.
pub fn parse_remote_url(url: &str) -> Option<(String, String, String)> {
    let (host, path) = if let Some(rest) = url.split_once("://").map(|(_, r)| r) {
        let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
        let (host, path) = rest.split_once('/')?;
        (host.split(':').next()?.to_string(), path)
    } else {
        let rest = url.rsplit_once('@').map_or(url, |(_, r)| r);
        let (host, path) = rest.split_once(':')?;
        (host.to_string(), path)
    };
    let path = path.trim_end_matches('/').trim_end_matches(".git");
    let (owner, repo) = path.split_once('/')?;
    let valid = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    (valid(owner) && valid(repo) && !repo.contains('/'))
        .then(|| (host, owner.to_string(), repo.to_string()))
}

/// GitHub remotes, in gh's order of preference for the base repository:
/// `upstream`, `github`, `origin`, then the rest by name.
pub fn remotes(repo: &Repository) -> Vec<Remote> {
    let mut out = Vec::new();
    let Ok(names) = repo.remotes() else {
        return out;
    };
    for name in names.iter().flatten().flatten() {
        let Ok(r) = repo.find_remote(name) else {
            continue;
        };
        let Ok(url) = r.url() else { continue };
        if let Some((host, owner, name_)) = parse_remote_url(url) {
            out.push(Remote {
                name: name.to_string(),
                host,
                owner,
                repo: name_,
            });
        }
    }
    let rank = |n: &str| match n {
        "upstream" => 0,
        "github" => 1,
        "origin" => 2,
        _ => 3,
    };
    out.sort_by(|a, b| rank(&a.name).cmp(&rank(&b.name)).then(a.name.cmp(&b.name)));
    out
}

/// The checked-out branch, if HEAD is on one.
pub fn current_branch(repo: &Repository) -> Option<String> {
    let head = repo.head().ok()?;
    if !head.is_branch() {
        return None;
    }
    head.shorthand().ok().map(str::to_string)
}

pub fn branch_exists(repo: &Repository, branch: &str) -> bool {
    repo.find_branch(branch, BranchType::Local).is_ok()
}

/// The remote `branch` is pushed to, decided as `gh pr create` does, locally: the
/// configured upstream first, then `<remote>/<branch>` for each remote; the first
/// remote-tracking ref at the same commit as the local branch.
pub fn pushed_to(repo: &Repository, branch: &str) -> Option<String> {
    let local = repo.find_branch(branch, BranchType::Local).ok()?;
    let tip = local.get().target()?;
    let mut candidates: Vec<(String, String)> = Vec::new();
    if let Ok(buf) = repo.branch_upstream_remote(&format!("refs/heads/{branch}")) {
        if let Ok(remote) = buf.as_str() {
            if let Ok(up) = local.upstream() {
                if let Ok(Some(name)) = up.get().name().map(Some) {
                    candidates.push((remote.to_string(), name.to_string()));
                }
            }
        }
    }
    if let Ok(names) = repo.remotes() {
        for name in names.iter().flatten().flatten() {
            candidates.push((name.to_string(), format!("refs/remotes/{name}/{branch}")));
        }
    }
    candidates
        .into_iter()
        .find(|(_, r)| repo.refname_to_id(r).is_ok_and(|o| o == tip))
        .map(|(remote, _)| remote)
}

/// Whether `branch` is merged into `into` (its tip is `into`'s tip or an ancestor of it).
/// None when either branch does not exist locally.
pub fn is_merged(repo: &Repository, branch: &str, into: &str) -> Option<bool> {
    let b = repo
        .find_branch(branch, BranchType::Local)
        .ok()?
        .get()
        .target()?;
    let m = repo
        .find_branch(into, BranchType::Local)
        .ok()?
        .get()
        .target()?;
    Some(b == m || repo.graph_descendant_of(m, b).unwrap_or(false))
}

/// Files changed on `branch` since it left `base` (a local or remote-tracking ref name).
pub fn changed_files(repo: &Repository, base: &str, branch: &str) -> Option<Vec<String>> {
    let head = repo.revparse_single(branch).ok()?.peel_to_commit().ok()?;
    let base = repo.revparse_single(base).ok()?.peel_to_commit().ok()?;
    let fork = repo.merge_base(head.id(), base.id()).ok()?;
    let old = repo.find_commit(fork).ok()?.tree().ok()?;
    let new = head.tree().ok()?;
    let diff = repo.diff_tree_to_tree(Some(&old), Some(&new), None).ok()?;
    let mut out: Vec<String> = diff
        .deltas()
        .filter_map(|d| {
            d.new_file()
                .path()
                .or_else(|| d.old_file().path())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

/// The most commit subjects [`commit_subjects`] returns: a PR description names a few.
const MAX_SUBJECTS: usize = 50;

/// The subjects (first lines) of the commits on `branch` that `base` does not have,
/// oldest first, at most 50 (the oldest ones). Both are ref names or revisions.
pub fn commit_subjects(repo: &Repository, base: &str, branch: &str) -> Option<Vec<String>> {
    let head = repo.revparse_single(branch).ok()?.peel_to_commit().ok()?;
    let base = repo.revparse_single(base).ok()?.peel_to_commit().ok()?;
    let mut walk = repo.revwalk().ok()?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
        .ok()?;
    walk.push(head.id()).ok()?;
    walk.hide(base.id()).ok()?;
    let subjects = walk
        .filter_map(Result::ok)
        .filter_map(|id| repo.find_commit(id).ok())
        .map(|c| {
            String::from_utf8_lossy(c.message_bytes())
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .take(MAX_SUBJECTS)
        .collect();
    Some(subjects)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staged {
    /// The index entry now names the new path (like `git mv`).
    Renamed,
    /// The file was not tracked: nothing to stage.
    Untracked,
}

/// Stages archive moves the way `git mv` + `git add` would, in one index write (all or
/// nothing): each tracked old path leaves the index and its new path enters it with the
/// content the file has now (a rewrite before the move is staged too).
pub fn stage_moves(repo: &Repository, moves: &[(PathBuf, PathBuf)]) -> Result<Staged, String> {
    let workdir = workdir(repo).ok_or("the repository has no work tree")?;
    let rel = |p: &Path| -> Result<String, String> {
        let canon = p
            .parent()
            .and_then(|d| d.canonicalize().ok())
            .map(|d| d.join(p.file_name().unwrap_or_default()));
        let p = canon.unwrap_or_else(|| p.to_path_buf());
        p.strip_prefix(&workdir)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .map_err(|_| format!("{} is outside the repository", p.display()))
    };
    let mut index = repo
        .index()
        .map_err(|e| format!("cannot open the git index: {}", e.message()))?;
    index
        .read(false)
        .map_err(|e| format!("cannot read the git index: {}", e.message()))?;
    let mut staged = Staged::Untracked;
    for (from, to) in moves {
        let (old, new) = (rel(from)?, rel(to)?);
        if index.get_path(Path::new(&old), 0).is_none() {
            continue;
        }
        index
            .remove_path(Path::new(&old))
            .map_err(|e| format!("cannot unstage {old}: {}", e.message()))?;
        index
            .add_path(Path::new(&new))
            .map_err(|e| format!("cannot stage {new}: {}", e.message()))?;
        staged = Staged::Renamed;
    }
    if staged == Staged::Untracked {
        return Ok(staged);
    }
    index.write().map_err(|e| match e.code() {
        ErrorCode::Locked => {
            "the git index is locked by another git process (.git/index.lock)".to_string()
        }
        _ => format!("cannot write the git index: {}", e.message()),
    })?;
    Ok(staged)
}

/// The local ref to diff a branch against: the base remote's HEAD or main branch, else the
/// local main branch.
pub fn diff_base(repo: &Repository, main_branch: &str) -> Option<String> {
    let remotes = remotes(repo);
    let base = remotes.first()?;
    let candidates = [
        format!("refs/remotes/{}/HEAD", base.name),
        format!("refs/remotes/{}/{main_branch}", base.name),
        format!("refs/heads/{main_branch}"),
    ];
    candidates
        .into_iter()
        .find(|r| repo.revparse_single(r).is_ok())
}

/// The model's version-control questions, answered by git.
pub struct GitVcs;

impl crate::model::vcs::Vcs for GitVcs {
    fn pushed(&self, root: &Path, branch: &str) -> Option<bool> {
        let repo = open(root)?;
        branch_exists(&repo, branch).then(|| pushed_to(&repo, branch).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_urls() {
        let p = |u: &str| parse_remote_url(u);
        assert_eq!(
            p("https://github.com/acme/kv.git"),
            Some(("github.com".into(), "acme".into(), "kv".into()))
        );
        assert_eq!(
            p("https://x:ghp_secret@github.com/acme/kv"),
            Some(("github.com".into(), "acme".into(), "kv".into()))
        );
        assert_eq!(
            p("git@github.com:me/kv.git"),
            Some(("github.com".into(), "me".into(), "kv".into()))
        );
        assert_eq!(
            p("ssh://git@ghe.corp:2222/team/kv.git"),
            Some(("ghe.corp".into(), "team".into(), "kv".into()))
        );
        assert_eq!(p("/local/path/repo"), None);
        assert_eq!(p("https://github.com/a/b/c"), None);
    }

    /// A commit on HEAD writing `file`, with `message`.
    fn commit(repo: &Repository, file: &str, message: &str) -> git2::Oid {
        let workdir = repo.workdir().expect("a work tree");
        std::fs::write(workdir.join(file), message).expect("write");
        let mut index = repo.index().expect("index");
        index.add_path(Path::new(file)).expect("add");
        index.write().expect("write index");
        let tree = repo
            .find_tree(index.write_tree().expect("tree"))
            .expect("tree");
        let sig = git2::Signature::now("T", "t@example.com").expect("signature");
        let parents: Vec<git2::Commit> = repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .expect("commit")
    }

    #[test]
    fn commit_subjects_are_the_branch_s_own_oldest_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("init");
        let root = commit(&repo, "a", "initial");
        repo.branch("main", &repo.find_commit(root).expect("root"), true)
            .expect("main");
        repo.set_head("refs/heads/main").expect("head");
        let fork = commit(&repo, "a", "on main before the fork");
        repo.branch("fix", &repo.find_commit(fork).expect("fork"), false)
            .expect("fix");
        commit(&repo, "b", "on main after the fork");
        repo.set_head("refs/heads/fix").expect("head");
        commit(&repo, "c", "Lock the segment\n\nThe body is not a subject.");
        commit(&repo, "d", "  Add a regression test for #7  ");
        assert_eq!(
            commit_subjects(&repo, "main", "fix"),
            Some(vec![
                "Lock the segment".to_string(),
                "Add a regression test for #7".to_string()
            ])
        );
        assert_eq!(commit_subjects(&repo, "fix", "fix"), Some(vec![]));
        assert_eq!(
            commit_subjects(&repo, "fix", "main"),
            Some(vec!["on main after the fork".to_string()])
        );
        assert_eq!(commit_subjects(&repo, "main", "no-such-branch"), None);
        for i in 0..MAX_SUBJECTS + 5 {
            commit(&repo, "e", &format!("step {i}"));
        }
        let many = commit_subjects(&repo, "main", "fix").expect("subjects");
        assert_eq!(many.len(), MAX_SUBJECTS);
        assert_eq!(many.first().map(String::as_str), Some("Lock the segment"));
    }
}
