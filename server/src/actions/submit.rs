//! Where an upstream PR goes, worked out the way `gh pr create` works it out: base
//! repository from the `upstream` remote (else `github`, else `origin`), head
//! `owner:branch` from the remote the branch is pushed to, refusing an unpushed branch.

use crate::model::{SpecKey, Workspace};

use super::forge::RepoId;
use super::git;
use super::pr_body::{investigation, Section};
use super::token::Env;

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub host: String,
    pub base: RepoId,
    pub head_owner: String,
    pub branch: String,
    /// Named by the person (draft section `Base:` or the spec's `target_branch`); else the
    /// base repository's default branch is asked for.
    pub base_branch: Option<String>,
}

pub fn resolve(
    ws: &Workspace,
    key: SpecKey,
    section: &Section,
    env: &dyn Env,
) -> Result<Target, String> {
    let repo = git::open(&ws.root).ok_or(
        "this workspace is not in a git repository, so there is no branch to open a PR from",
    )?;
    let gh_host = env.var("GH_HOST");
    let remotes: Vec<git::Remote> = git::remotes(&repo)
        .into_iter()
        .filter(|r| gh_host.as_deref().is_none_or(|h| r.host == h))
        .collect();
    let base = remotes
        .first()
        .ok_or("no GitHub remote found (looked for `upstream`, `github`, `origin`)")?;
    let inv = investigation(ws, key)?;
    let spec = ws.get(key);
    let named_branch = [inv.fix, spec]
        .into_iter()
        .flatten()
        .filter_map(|f| f.scalar("branch"))
        .find(|b| git::branch_exists(&repo, b))
        .map(str::to_string);
    let branch = named_branch
        .or_else(|| git::current_branch(&repo))
        .ok_or("no branch to open the PR from: check out the fix branch (HEAD is detached)")?;
    let pushed = git::pushed_to(&repo, &branch).ok_or_else(|| {
        format!("the branch `{branch}` is not pushed (or has commits its remote does not have yet): run `git push -u origin {branch}` first")
    })?;
    let head = remotes.iter().find(|r| r.name == pushed).ok_or_else(|| {
        format!("`{branch}` is pushed to `{pushed}`, which is not a GitHub repository")
    })?;
    let base_branch = section.base.clone().or_else(|| {
        spec.and_then(|f| f.scalar("target_branch"))
            .map(str::to_string)
    });
    Ok(Target {
        host: base.host.clone(),
        base: RepoId {
            owner: base.owner.clone(),
            name: base.repo.clone(),
        },
        head_owner: head.owner.clone(),
        branch,
        base_branch,
    })
}

/// The local ref to diff the branch against, for the draft's list of changed files.
pub fn diff_base(repo: &git2::Repository, main_branch: &str) -> Option<String> {
    let remotes = git::remotes(repo);
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
