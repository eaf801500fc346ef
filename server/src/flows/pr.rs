//! The upstream pull request, the book's human gate: draft it from the investigation, submit
//! it after a confirmation, send later edits to it, refresh and show its status, open it.
//!
//! The token goes only to a host the git remotes name (the API host comes from the remotes,
//! as gh's does); a `PR:` URL on any other host is reported and never contacted. Before a
//! confirmation only read-only lookups happen (the base branch, an existing PR from the
//! branch); a PR is created or changed only after the person chose to.

use std::path::Path;
use std::sync::Arc;

use crate::actions::forge::{Forge, NewPr, PrSummary, RepoId};
use crate::actions::git::Remote;
use crate::actions::pr_body::{self, Section};
use crate::diagnostics::{self, Severity};
use crate::model::{SpecKey, Workspace};

use super::text::{self, Prefer, Written};
use super::{Answer, Ctx, Question};

/// Where a new PR goes, worked out the way `gh pr create` does.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub host: String,
    pub base: RepoId,
    pub head_owner: String,
    pub branch: String,
    /// Named by the person (the section's `Base:`, the spec's `target_branch`); else the
    /// base repository's default branch is asked for.
    pub base_branch: Option<String>,
}

/// The GitHub remotes that count (gh's `GH_HOST` narrows them to one host).
fn remotes(ctx: &Ctx<'_>, root: &Path) -> Vec<Remote> {
    ctx.git
        .remotes(root)
        .into_iter()
        .filter(|r| ctx.gh_host.as_deref().is_none_or(|h| r.host == h))
        .collect()
}

fn base_of(remotes: &[Remote]) -> Result<&Remote, String> {
    remotes
        .first()
        .ok_or_else(|| "no GitHub remote found (looked for `upstream`, `github`, `origin`)".into())
}

/// The branches the fix may be on: the fix spec's and this spec's `branch`, then the
/// checked-out one (unless it is the main branch).
fn branches(ctx: &Ctx<'_>, ws: &Workspace, key: SpecKey) -> Vec<String> {
    let inv = pr_body::investigation(ws, key).ok();
    let mut out: Vec<String> = [inv.and_then(|i| i.fix), ws.get(key)]
        .into_iter()
        .flatten()
        .filter_map(|f| f.scalar("branch"))
        .map(str::to_string)
        .collect();
    if let Some(b) = ctx.git.current_branch(&ws.root) {
        if b != ws.config.main_branch {
            out.push(b);
        }
    }
    dedup(&mut out);
    out
}

/// Removes repeated entries, keeping the first of each.
fn dedup(v: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
}

/// Where a new PR from the fix branch goes; refuses an unpushed branch.
pub fn target(
    ctx: &Ctx<'_>,
    ws: &Workspace,
    key: SpecKey,
    base: Option<&str>,
) -> Result<Target, String> {
    let remotes = remotes(ctx, &ws.root);
    if !ctx.git.is_repo(&ws.root) {
        return Err(
            "this workspace is not in a git repository, so there is no branch to open a PR from"
                .into(),
        );
    }
    let base_remote = base_of(&remotes)?;
    let branch = branches(ctx, ws, key)
        .into_iter()
        .find(|b| ctx.git.branch_exists(&ws.root, b))
        .ok_or("no branch to open the PR from: name it in the fix spec's `branch`, or check out the fix branch")?;
    let pushed = ctx.git.pushed_to(&ws.root, &branch).ok_or_else(|| {
        format!("the branch `{branch}` is not pushed (or has commits its remote does not have yet): run `git push -u origin {branch}` first")
    })?;
    let head = remotes.iter().find(|r| r.name == pushed).ok_or_else(|| {
        format!("`{branch}` is pushed to `{pushed}`, which is not a GitHub repository")
    })?;
    let base_branch = base.map(str::to_string).or_else(|| {
        ws.get(key)
            .and_then(|f| f.scalar("target_branch"))
            .map(str::to_string)
    });
    Ok(Target {
        host: base_remote.host.clone(),
        base: RepoId {
            owner: base_remote.owner.clone(),
            name: base_remote.repo.clone(),
        },
        head_owner: head.owner.clone(),
        branch,
        base_branch,
    })
}

/// A pull request found for the investigation, with the forge that knows it.
pub struct Found {
    pub forge: Arc<dyn Forge>,
    pub repo: RepoId,
    pub pr: PrSummary,
    /// The spec already records it.
    pub recorded: bool,
}

/// `https://host/owner/repo/pull/7` -> host.
fn host_of(url: &str) -> Option<&str> {
    url.split_once("://")?.1.split('/').next()
}

/// The PR recorded in this spec's section, else in another spec of its issue.
pub fn recorded(ws: &Workspace, key: SpecKey, this_text: &str) -> Option<(u64, String)> {
    if let Some(pr) = pr_body::find_section(this_text).and_then(|s| s.pr) {
        return Some(pr);
    }
    let n = ws.get(key)?.issue?;
    ws.issue_specs(n)
        .filter(|(_, f)| f.pr_section)
        .find_map(|(_, f)| pr_body::find_section(f.source()?.text()).and_then(|s| s.pr))
}

/// The investigation's pull request: the recorded one, else the one GitHub has from the
/// fix branch (in any state). None when there is none.
pub async fn find(
    ctx: &Ctx<'_>,
    ws: &Workspace,
    key: SpecKey,
    this_text: &str,
) -> Result<Option<Found>, String> {
    let remotes = remotes(ctx, &ws.root);
    if let Some((number, url)) = recorded(ws, key, this_text) {
        let host = host_of(&url).unwrap_or_default();
        let (repo, _) = crate::actions::forge::parse_pr_url(&url)
            .ok_or_else(|| format!("the recorded `PR: {url}` is not a pull request URL"))?;
        if !remotes.iter().any(|r| r.host == host) {
            return Err(format!("the recorded pull request {url} is on {host}, which none of this repository's git remotes names; chant-lsp sends your GitHub token only to the hosts of the remotes, so it did not ask there"));
        }
        let forge = ctx.forges.connect(host)?;
        let pr = forge.get_pr(&repo, number).await.map_err(|e| e.explain())?;
        return Ok(Some(Found {
            forge,
            repo,
            pr,
            recorded: true,
        }));
    }
    // Without a GitHub remote there is nobody to ask.
    let Some(base) = remotes.first() else {
        return Ok(None);
    };
    let repo = RepoId {
        owner: base.owner.clone(),
        name: base.repo.clone(),
    };
    let forge = ctx.forges.connect(&base.host)?;
    for branch in branches(ctx, ws, key) {
        // The owner of the remote the branch is pushed to; after a merge the branch may be
        // gone locally, so then every remote's owner is tried.
        let pushed = ctx
            .git
            .pushed_to(&ws.root, &branch)
            .and_then(|name| remotes.iter().find(|r| r.name == name));
        let mut owners: Vec<String> = match pushed {
            Some(r) => vec![r.owner.clone()],
            None => remotes.iter().map(|r| r.owner.clone()).collect(),
        };
        dedup(&mut owners);
        for owner in owners.iter().take(4) {
            if let Some(pr) = forge
                .find_pr(&repo, owner, &branch)
                .await
                .map_err(|e| e.explain())?
            {
                return Ok(Some(Found {
                    forge,
                    repo,
                    pr,
                    recorded: false,
                }));
            }
        }
    }
    Ok(None)
}

/// Writes the PR (and a status line) into the spec's section: on disk unless the buffer
/// has unsaved edits. Returns what the person must know about where it went.
pub async fn record(ctx: &Ctx<'_>, path: &Path, pr: &PrSummary, status: Option<&str>) -> String {
    let written = text::rewrite(ctx, path, Prefer::Disk, &|text| {
        let mut new = text.to_string();
        if pr_body::find_section(&new).and_then(|s| s.pr) != Some((pr.number, pr.url.clone())) {
            if let Some(e) = pr_body::record_pr(&new, pr.number, &pr.url) {
                new = crate::syntax::edit::apply(&new, &[e]);
            }
        }
        if let Some(line) = status {
            if let Some(e) = pr_body::record_status(&new, line) {
                new = crate::syntax::edit::apply(&new, &[e]);
            }
        }
        Ok((new != text).then_some(new))
    })
    .await;
    match written {
        Ok(Written::Disk) | Ok(Written::Unchanged) => String::new(),
        Ok(Written::Buffer) => " It is recorded in the open buffer, which has unsaved changes: save the spec to keep the record".into(),
        Err(why) => format!(" Recording it in the spec failed: {why}"),
    }
}

// ----- draft -----

pub async fn draft(ctx: &Ctx<'_>, ws: &Workspace, key: SpecKey) {
    let Some(path) = ws.get(key).map(|f| f.path.clone()) else {
        return;
    };
    let drafted = pr_body::investigation(ws, key).map(|inv| {
        let read = |p: &str| {
            ws.fs
                .read(&ws.root.join(p.trim_start_matches("./")))
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
        };
        let branch = ctx.git.branch(&ws.root, &ws.config.main_branch);
        pr_body::draft(&inv, &read, branch.as_ref())
    });
    let draft = match drafted {
        Ok(d) => d,
        Err(why) => return ctx.error(format!("No draft: {why}.")).await,
    };
    let now = match text::current(ctx, &path) {
        Ok(t) => t,
        Err(why) => return ctx.error(format!("No draft: {why}.")).await,
    };
    let old = pr_body::find_section(&now);
    if let Some(old) = old.as_ref().filter(|s| s.edited()) {
        let mut q = "Replace the upstream PR draft, which was edited since it was drafted?\nYour edits to its title and body would be lost".to_string();
        if let Some((n, _)) = &old.pr {
            q.push_str(&format!("\nPull request #{n} is open: \"Update upstream PR…\" sends your edited text to it instead"));
        }
        match ctx
            .person
            .ask(Question {
                spec: path.clone(),
                text: q,
                choices: vec!["Replace the draft".into()],
            })
            .await
        {
            Answer::Chose(0) => {}
            Answer::Replaced => return,
            Answer::Expired => return ctx.info(super::expired("Draft upstream PR body")).await,
            _ => return ctx.info("Kept your draft: nothing was replaced.").await,
        }
    }
    let title = draft.title.clone();
    let written = text::change(ctx, &path, Prefer::Buffer, &|text| {
        Ok(vec![pr_body::upsert(text, &draft)])
    })
    .await;
    let pr_open = old.and_then(|s| s.pr).is_some();
    match written {
        Ok(w) => {
            let next = if pr_open {
                "then run \"Update upstream PR…\" to send it to the open pull request"
            } else {
                "then run \"Submit upstream PR…\""
            };
            let unsaved = if w == Written::Buffer {
                " (not saved yet)"
            } else {
                ""
            };
            ctx.info(format!("Drafted the upstream PR \"{title}\" in the spec's \"Upstream PR\" section{unsaved}: edit it, {next}.")).await
        }
        Err(why) => ctx.error(format!("No draft: {why}.")).await,
    }
}

/// The section's title and body, or why it cannot be sent.
fn title_and_body(section: Option<&Section>) -> Result<(String, String), String> {
    let section =
        section.ok_or("the spec has no PR draft yet: run \"Draft upstream PR body\" first")?;
    match (&section.title, &section.body) {
        (Some(t), Some(b)) if !b.trim().is_empty() => Ok((t.clone(), b.clone())),
        _ => {
            Err("the PR draft has no title or no body: fill in the \"Upstream PR\" section".into())
        }
    }
}

/// What is still wrong before a PR goes out: the fix spec not completed, and the
/// upstream-PR spec's own warnings and errors.
fn still_wrong(ws: &Workspace, key: SpecKey) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(inv) = pr_body::investigation(ws, key) {
        match inv.fix {
            None => out.push("no fix spec found for this issue".to_string()),
            Some(f) if f.facts.status() != "completed" => out.push(format!(
                "the fix spec `{}` is `{}`, not completed",
                f.id,
                f.facts.status()
            )),
            Some(_) => {}
        }
    }
    for d in diagnostics::check_spec(ws, key) {
        if matches!(d.severity, Severity::Error | Severity::Warning) {
            let level = if d.severity == Severity::Error {
                "error"
            } else {
                "warning"
            };
            out.push(format!("{level} {}: {}", d.code, d.message));
        }
    }
    out
}

// ----- submit -----

pub async fn submit(ctx: &Ctx<'_>, ws: &Workspace, key: SpecKey) {
    if let Err(why) = try_submit(ctx, ws, key).await {
        ctx.error(format!("Pull request not created: {why}.")).await;
    }
}

async fn try_submit(ctx: &Ctx<'_>, ws: &Workspace, key: SpecKey) -> Result<(), String> {
    let path = ws
        .get(key)
        .map(|f| f.path.clone())
        .ok_or("this spec is no longer in the workspace")?;
    let now = text::current(ctx, &path)?;
    let section = pr_body::find_section(&now);
    let (title, body) = title_and_body(section.as_ref())?;
    // Local refusals first (no branch, not pushed): nothing is asked of GitHub then.
    let target = target(
        ctx,
        ws,
        key,
        section.as_ref().and_then(|s| s.base.as_deref()),
    )?;
    // A PR that exists already (recorded, or found from the branch) is never created twice.
    if let Some(found) = find(ctx, ws, key, &now).await? {
        if found.pr.open || found.pr.merged {
            let note = record(ctx, &path, &found.pr, None).await;
            ctx.info(format!(
                "Pull request #{} is already {}: {} (nothing created).{note}",
                found.pr.number,
                found.pr.state_word(),
                found.pr.url
            ))
            .await;
            return Ok(());
        }
    }
    let forge = ctx.forges.connect(&target.host)?;
    let base_branch = match &target.base_branch {
        Some(b) => b.clone(),
        None => forge
            .default_branch(&target.base)
            .await
            .map_err(|e| e.explain())?,
    };
    let pr = NewPr {
        base: target.base.clone(),
        head_owner: target.head_owner.clone(),
        branch: target.branch.clone(),
        base_branch,
        title,
        body,
        draft: false,
    };
    let mut q = format!(
        "Open a public pull request on {}? Anyone can read it once it is open\n{} -> {}\nTitle: {}\nThe body is the spec's \"Upstream PR\" section",
        pr.base,
        pr.head_label(),
        pr.base_branch,
        pr.title
    );
    let wrong = still_wrong(ws, key);
    if !wrong.is_empty() {
        q.push_str("\nStill wrong:");
        for w in &wrong {
            q.push_str(&format!("\n- {}", w.trim_end_matches('.')));
        }
    }
    let answer = ctx
        .person
        .ask(Question {
            spec: path.clone(),
            text: q,
            choices: vec![
                "Create pull request".into(),
                "Create draft pull request".into(),
            ],
        })
        .await;
    let draft = match answer {
        Answer::Chose(0) => false,
        Answer::Chose(1) => true,
        Answer::Replaced => return Ok(()),
        Answer::Expired => {
            ctx.info(super::expired("Submit upstream PR…")).await;
            return Ok(());
        }
        _ => {
            ctx.info("Cancelled: no pull request was created.").await;
            return Ok(());
        }
    };
    let pr = NewPr { draft, ..pr };
    let (created, fresh) = match forge.create_pr(&pr).await {
        Ok(p) => (p, true),
        // Created by a concurrent attempt, or an answer that got lost: find it, never create twice.
        Err(e) if e.already_exists() => (
            forge
                .find_open_pr(&pr)
                .await
                .map_err(|e| e.explain())?
                .ok_or_else(|| e.explain())?,
            false,
        ),
        Err(e) => return Err(e.explain()),
    };
    let note = record(ctx, &path, &created, None).await;
    if !fresh {
        ctx.info(format!(
            "A pull request for {} already exists: {} (nothing created).{note}",
            pr.head_label(),
            created.url
        ))
        .await;
        return Ok(());
    }
    let kind = if created.draft || draft {
        "draft pull request"
    } else {
        "pull request"
    };
    ctx.info(format!(
        "Opened {kind} #{}: {}.{note}",
        created.number, created.url
    ))
    .await;
    ctx.person.open_url(created.url.clone()).await;
    Ok(())
}

// ----- after submission -----

/// The open PR, or the message saying why there is none to work on.
async fn open_pr(ctx: &Ctx<'_>, ws: &Workspace, key: SpecKey, now: &str) -> Result<Found, String> {
    match find(ctx, ws, key, now).await? {
        Some(f) => Ok(f),
        None => Err("no pull request found for this investigation (none recorded in the spec, none on GitHub from the fix branch): run \"Submit upstream PR…\" first".into()),
    }
}

/// "Update upstream PR…": sends the section's edited title and body to the open PR.
pub async fn update(ctx: &Ctx<'_>, ws: &Workspace, key: SpecKey) {
    if let Err(why) = try_update(ctx, ws, key).await {
        ctx.error(format!("Pull request not updated: {why}.")).await;
    }
}

async fn try_update(ctx: &Ctx<'_>, ws: &Workspace, key: SpecKey) -> Result<(), String> {
    let path = ws
        .get(key)
        .map(|f| f.path.clone())
        .ok_or("this spec is no longer in the workspace")?;
    let now = text::current(ctx, &path)?;
    let (title, body) = title_and_body(pr_body::find_section(&now).as_ref())?;
    let found = open_pr(ctx, ws, key, &now).await?;
    let pr = &found.pr;
    if !pr.open {
        return Err(format!(
            "pull request #{} is {}, so it takes no more changes",
            pr.number,
            pr.state_word()
        ));
    }
    let same_title = pr.title.trim() == title.trim();
    let same_body = pr.body.trim() == body.trim();
    if same_title && same_body {
        let note = if found.recorded {
            String::new()
        } else {
            record(ctx, &path, pr, None).await
        };
        ctx.info(format!(
            "Pull request #{} already has this title and body: nothing to send.{note}",
            pr.number
        ))
        .await;
        return Ok(());
    }
    let title_line = if same_title {
        format!("Title: unchanged (\"{title}\")")
    } else {
        format!("Title: \"{}\" -> \"{title}\"", pr.title)
    };
    let body_line = if same_body {
        "Body: unchanged".to_string()
    } else {
        let changed = changed_lines(&pr.body, &body);
        format!(
            "Body: {} changed",
            crate::check::count(changed, "line", "lines")
        )
    };
    let q = format!(
        "Update public pull request #{} on {}?\n{title_line}\n{body_line}\nThe new text is the spec's \"Upstream PR\" section",
        pr.number, found.repo
    );
    match ctx
        .person
        .ask(Question {
            spec: path.clone(),
            text: q,
            choices: vec!["Update pull request".into()],
        })
        .await
    {
        Answer::Chose(0) => {}
        Answer::Replaced => return Ok(()),
        Answer::Expired => {
            ctx.info(super::expired("Update upstream PR…")).await;
            return Ok(());
        }
        _ => {
            ctx.info(format!(
                "Cancelled: pull request #{} was not changed.",
                pr.number
            ))
            .await;
            return Ok(());
        }
    }
    let updated = found
        .forge
        .update_pr(&found.repo, pr.number, &title, &body)
        .await
        .map_err(|e| e.explain())?;
    let note = if found.recorded {
        String::new()
    } else {
        record(ctx, &path, &updated, None).await
    };
    ctx.info(format!(
        "Updated pull request #{}: {}.{note}",
        updated.number, updated.url
    ))
    .await;
    Ok(())
}

/// Lines of `new` not in `old`, plus lines of `old` not in `new` (a multiset count: good
/// enough to say how much changes, without a diff algorithm).
fn changed_lines(old: &str, new: &str) -> usize {
    let mut pool: std::collections::HashMap<&str, isize> = std::collections::HashMap::new();
    for l in old.lines() {
        *pool.entry(l.trim_end()).or_default() += 1;
    }
    for l in new.lines() {
        *pool.entry(l.trim_end()).or_default() -= 1;
    }
    let removed: isize = pool.values().filter(|v| **v > 0).sum();
    let added: isize = -pool.values().filter(|v| **v < 0).sum::<isize>();
    removed.max(added).unsigned_abs()
}

/// "Refresh pull request status": asks GitHub for the PR's state, review and checks, and
/// records them with the time in the section (hover and lens show that record; hovering
/// never asks GitHub).
pub async fn refresh(ctx: &Ctx<'_>, ws: &Workspace, key: SpecKey) {
    if let Err(why) = try_refresh(ctx, ws, key).await {
        ctx.error(format!("Pull request status not refreshed: {why}."))
            .await;
    }
}

async fn try_refresh(ctx: &Ctx<'_>, ws: &Workspace, key: SpecKey) -> Result<(), String> {
    let path = ws
        .get(key)
        .map(|f| f.path.clone())
        .ok_or("this spec is no longer in the workspace")?;
    let now = text::current(ctx, &path)?;
    if pr_body::find_section(&now).is_none() {
        return Err("the spec has no \"Upstream PR\" section to record it in: run \"Draft upstream PR body\" first".into());
    }
    let found = open_pr(ctx, ws, key, &now).await?;
    let status = found
        .forge
        .pr_status(&found.repo, found.pr.number)
        .await
        .map_err(|e| e.explain())?;
    let line = status_line(&status, ctx.now);
    let note = record(ctx, &path, &status.pr, Some(&line)).await;
    ctx.info(format!("Pull request #{}: {line}.{note}", status.pr.number))
        .await;
    Ok(())
}

/// `open, approved, checks passing (checked 2026-12-02 14:05 UTC)`.
pub fn status_line(
    s: &crate::actions::forge::PrStatus,
    at: chrono::DateTime<chrono::Utc>,
) -> String {
    let mut parts = vec![s.pr.state_word().to_string()];
    if s.pr.open {
        parts.push(s.review.to_string());
        parts.push(s.checks.to_string());
    }
    format!(
        "{} (checked {})",
        parts.join(", "),
        at.format("%Y-%m-%d %H:%M UTC")
    )
}

/// "Open pull request": the recorded URL (no network), else the one GitHub has.
pub async fn open(ctx: &Ctx<'_>, ws: &Workspace, key: SpecKey) {
    let Some(path) = ws.get(key).map(|f| f.path.clone()) else {
        return;
    };
    let now = text::current(ctx, &path).unwrap_or_default();
    let url = match recorded(ws, key, &now) {
        Some((_, url)) => Ok(url),
        None => open_pr(ctx, ws, key, &now).await.map(|f| f.pr.url),
    };
    match url {
        Ok(url) => {
            if !ctx.person.open_url(url.clone()).await {
                ctx.info(format!("The pull request is at {url}")).await;
            }
        }
        Err(why) => ctx.error(format!("No pull request to open: {why}.")).await,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn changed_lines_counts_what_moves() {
        assert_eq!(super::changed_lines("a\nb\nc", "a\nb\nc"), 0);
        assert_eq!(super::changed_lines("a\nb\nc", "a\nB\nc"), 1);
        assert_eq!(super::changed_lines("a", "a\nb\nc"), 2);
        assert_eq!(super::changed_lines("a\nb\nc", ""), 3);
    }
}
