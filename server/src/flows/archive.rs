//! Archiving, as one transaction: plan everything first (status, members, unsaved buffers,
//! destinations, merged work branches and, for an investigation, its merged PR), ask once
//! listing every spec, then move all or none, stage the moves with the files' current
//! content, and say what happened in one message.

use std::path::{Path, PathBuf};

use crate::actions::archive::{destination, with_members};
use crate::actions::git::Staged;
use crate::check::count;
use crate::model::{Location, SpecFile, SpecKey, Workspace};
use crate::syntax::edit::{apply, set_scalar};

use super::pr;
use super::{Answer, Ctx, Question};

/// One spec to move.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub title: String,
    pub from: PathBuf,
    pub to: PathBuf,
}

/// Everything an archive will do, decided before anything is done.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub items: Vec<Item>,
    /// Specs whose text changes before they move (the upstream-PR spec marked completed):
    /// the path, the text the change was computed on, the new text.
    pub rewrites: Vec<(PathBuf, String, String)>,
}

fn done(status: &str) -> bool {
    matches!(status, "completed" | "cancelled")
}

fn item(ws: &Workspace, f: &SpecFile) -> Result<Item, String> {
    let to = destination(ws, &f.id).ok_or_else(|| {
        format!(
            "`{}` is shorter than 10 characters: chant's archive layout needs a date-sized prefix",
            f.id
        )
    })?;
    Ok(Item {
        id: f.id.clone(),
        title: f.title().unwrap_or("(untitled)").to_string(),
        from: f.path.clone(),
        to,
    })
}

/// What stops `specs` from moving: unsaved buffers, existing destinations, unmerged work
/// branches (a branch whose PR GitHub says is merged counts as merged: squash and rebase
/// merges leave no ancestry to find locally). Every problem, not just the first.
fn blockers(
    ctx: &Ctx<'_>,
    ws: &Workspace,
    specs: &[&SpecFile],
    merged_branch: Option<&str>,
) -> Vec<String> {
    let mut out = local_blockers(ctx, ws, specs);
    out.extend(branch_blockers(ctx, ws, specs, merged_branch));
    out
}

/// The blockers the editor and the disk tell, without git or GitHub: unsaved buffers and
/// destinations that exist.
fn local_blockers(ctx: &Ctx<'_>, ws: &Workspace, specs: &[&SpecFile]) -> Vec<String> {
    let mut out = Vec::new();
    let unsaved: Vec<&str> = specs
        .iter()
        .filter(|s| ctx.editor.buffer(&s.path).is_some_and(|b| b.dirty))
        .map(|s| s.id.as_str())
        .collect();
    if !unsaved.is_empty() {
        out.push(format!(
            "{} unsaved changes in the editor ({}): save or revert them first",
            if unsaved.len() == 1 {
                "1 spec has"
            } else {
                "some specs have"
            },
            unsaved
                .iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for s in specs {
        if let Some(to) = destination(ws, &s.id) {
            if ctx.disk.exists(&to) {
                out.push(format!(
                    "{} already exists; archiving never overwrites",
                    ws.rel(&to)
                ));
            }
        }
    }
    out
}

/// Work branches not merged into the main branch (`merged_branch`: one whose PR is).
fn branch_blockers(
    ctx: &Ctx<'_>,
    ws: &Workspace,
    specs: &[&SpecFile],
    merged_branch: Option<&str>,
) -> Vec<String> {
    let mut out = Vec::new();
    for s in specs {
        let main = &ws.config.main_branch;
        if let Some(branch) = s
            .scalar("branch")
            .filter(|b| *b != main && Some(*b) != merged_branch)
        {
            if ctx.git.is_merged(&ws.root, branch, main) == Some(false) {
                out.push(format!(
                    "the work branch `{branch}` of `{}` is not merged into `{main}`",
                    s.id
                ));
            }
        }
    }
    out
}

/// `words` where the workspace is in a git repository, else nothing.
fn staged_words(ctx: &Ctx<'_>, ws: &Workspace, words: &'static str) -> &'static str {
    if ctx.git.is_repo(&ws.root) {
        words
    } else {
        ""
    }
}

fn list(items: &[Item]) -> String {
    items
        .iter()
        .map(|i| format!("- {} ({})", i.title, i.id))
        .collect::<Vec<_>>()
        .join("\n")
}

/// "Archive spec" (`anyway`: even though it is not completed): the spec with its members.
pub async fn one(ctx: &Ctx<'_>, ws: &Workspace, key: SpecKey, anyway: bool) {
    let planned = plan_one(ctx, ws, key, anyway);
    let (plan, status) = match planned {
        Ok(p) => p,
        Err(why) => return ctx.error(format!("Not archived: {why}.")).await,
    };
    let Some(spec) = ws.get(key) else { return };
    let text = if anyway {
        format!(
            "Archive `{}` although it is `{status}`?\n{}\nIt moves to .chant/archive/ with its status unchanged{}",
            spec.id,
            list(&plan.items),
            staged_words(ctx, ws, ", and the move is staged in git")
        )
    } else {
        format!(
            "Archive {}?\n{}\nThey move to .chant/archive/{}",
            count(plan.items.len(), "spec", "specs"),
            list(&plan.items),
            staged_words(ctx, ws, " and the moves are staged in git")
        )
    };
    let choice = if anyway { "Archive anyway" } else { "Archive" };
    let answer = ctx
        .person
        .ask(Question {
            spec: spec.path.clone(),
            text,
            choices: vec![choice.into()],
        })
        .await;
    let action = if anyway {
        "Archive spec … anyway"
    } else {
        "Archive spec"
    };
    if proceed(ctx, answer, action).await {
        carry_out(ctx, &ws.root, &plan, None).await;
    }
}

fn plan_one(
    ctx: &Ctx<'_>,
    ws: &Workspace,
    key: SpecKey,
    anyway: bool,
) -> Result<(Plan, String), String> {
    let spec = ws
        .get(key)
        .ok_or("this spec is no longer in the workspace")?;
    if spec.location != Location::Active {
        return Err(format!("`{}` is already archived", spec.id));
    }
    let status = spec.facts.status().to_string();
    if !done(&status) && !anyway {
        return Err(format!("`{}` is `{status}`, not completed; use \"Archive spec … anyway\" to archive it as it is", spec.id));
    }
    let g = with_members(ws, spec);
    if let Some(m) = g
        .iter()
        .find(|m| m.id != spec.id && !done(m.facts.status()))
    {
        return Err(format!("member `{}` of `{}` is `{}`: a driver is archived with all its members, once they are done", m.id, spec.id, m.facts.status()));
    }
    let problems = blockers(ctx, ws, &g, None);
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    let items = g
        .iter()
        .map(|s| item(ws, s))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((
        Plan {
            items,
            rewrites: Vec::new(),
        },
        status,
    ))
}

/// True when the person chose to go ahead; otherwise says what happened.
async fn proceed(ctx: &Ctx<'_>, answer: Answer, action: &str) -> bool {
    match answer {
        Answer::Chose(_) => true,
        Answer::Replaced => false,
        Answer::Expired => {
            ctx.info(super::expired(action)).await;
            false
        }
        Answer::Declined => {
            ctx.info("Nothing archived.").await;
            false
        }
    }
}

/// "Archive investigation #N": every active spec of the issue, once its pull request is
/// merged; the upstream-PR spec is then marked completed and goes with the others.
pub async fn investigation(ctx: &Ctx<'_>, ws: &Workspace, key: SpecKey) {
    let Some(spec) = ws.get(key) else { return };
    let Some(n) = spec.issue else {
        return ctx
            .error("This spec names no issue; there is no investigation to archive.")
            .await;
    };
    let specs = crate::actions::archive::investigation(ws, n);
    if specs.is_empty() {
        return ctx
            .info(format!("Issue #{n} has no specs left to archive."))
            .await;
    }
    let upstream: Option<&SpecFile> = specs
        .iter()
        .copied()
        .find(|f| ws.phase(f).is_some_and(|p| p.name == "upstream-pr"));
    // Everything else must be done already; the upstream-PR spec is completed by the merge.
    let mut problems: Vec<String> = specs
        .iter()
        .filter(|s| !done(s.facts.status()))
        // Completed by the merge, or archived as it is when the person says so.
        .filter(|s| upstream.is_none_or(|u| u.id != s.id))
        .map(|s| {
            format!(
                "`{}` ({}) is `{}`",
                s.id,
                s.title().unwrap_or("untitled"),
                s.facts.status()
            )
        })
        .collect();
    problems.extend(local_blockers(ctx, ws, &specs));
    // What the editor and the disk refuse is said before GitHub is asked anything.
    if !problems.is_empty() {
        return ctx
            .error(format!("Not archived: {}.", problems.join("; ")))
            .await;
    }
    // The gate: the PR, recorded or found from the branch, must be merged.
    let this_text = super::text::current(ctx, &spec.path)
        .ok()
        .or_else(|| spec.source().map(|s| s.text().to_string()))
        .unwrap_or_default();
    let found = match pr::find(ctx, ws, key, &this_text).await {
        Ok(f) => f,
        Err(why) => return ctx.error(format!("Not archived: could not tell whether the investigation's pull request is merged: {why}.")).await,
    };
    let merged = found.as_ref().filter(|f| f.pr.merged);
    let gate = match (&found, merged) {
        (_, Some(f)) => Ok(f),
        (Some(f), None) => Err(format!("pull request #{} ({}) is {}, not merged", f.pr.number, f.pr.url, f.pr.state_word())),
        (None, None) => Err("no pull request was found for it (none recorded in its specs, none on GitHub from the fix branch)".to_string()),
    };
    let merged_branch = merged.map(|f| f.pr.head_branch.as_str());
    let mut problems = branch_blockers(ctx, ws, &specs, merged_branch);
    if !problems.is_empty() {
        // Why the PR does not let it through comes first.
        if let Err(why) = &gate {
            problems.insert(0, why.clone());
        }
        return ctx
            .error(format!("Not archived: {}.", problems.join("; ")))
            .await;
    }
    let items = match specs
        .iter()
        .map(|s| item(ws, s))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(i) => i,
        Err(why) => return ctx.error(format!("Not archived: {why}.")).await,
    };
    let mut plan = Plan {
        items,
        rewrites: Vec::new(),
    };
    let mut head = String::new();
    match &gate {
        Ok(f) => {
            head.push_str(&format!(
                "Archive the {} of issue #{n}?\nPull request #{} is merged",
                count(plan.items.len(), "spec", "specs"),
                f.pr.number
            ));
            if let Some(u) = upstream {
                if u.facts.status() != "completed" {
                    head.push_str(&format!(
                        "; the upstream-PR spec `{}` is marked completed",
                        u.id
                    ));
                }
                // Completed as chant writes it, and the PR recorded (found on GitHub or not).
                let stamp = ctx.now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
                let old = match super::text::current(ctx, &u.path) {
                    Ok(t) => t,
                    Err(why) => return ctx.error(format!("Not archived: {why}.")).await,
                };
                match completed(&old, &stamp, (!f.recorded).then_some(&f.pr)) {
                    Some(new) if new != old => plan.rewrites.push((u.path.clone(), old, new)),
                    Some(_) => {}
                    None => {
                        return ctx
                            .error(format!(
                                "Not archived: `{}` has no frontmatter to mark completed.",
                                u.id
                            ))
                            .await
                    }
                }
            }
        }
        Err(why) => {
            head.push_str(&format!(
                "Archive the {} of issue #{n} without a merged pull request?\nNo merged pull request: {why}",
                count(plan.items.len(), "spec", "specs"),
            ));
        }
    }
    let text = format!(
        "{head}\n{}\nThey move to .chant/archive/{}",
        list(&plan.items),
        staged_words(ctx, ws, " and the moves are staged in git")
    );
    let choice = if gate.is_ok() {
        "Archive the investigation"
    } else {
        "Archive without a merged PR"
    };
    let answer = ctx
        .person
        .ask(Question {
            spec: spec.path.clone(),
            text,
            choices: vec![choice.into()],
        })
        .await;
    if let (Answer::Declined, Err(why)) = (answer, &gate) {
        return ctx.info(format!("Nothing archived: {why}.")).await;
    }
    if proceed(ctx, answer, "Archive investigation").await {
        carry_out(ctx, &ws.root, &plan, Some(n)).await;
    }
}

/// `text` with `status: completed` and `completed_at: <stamp>`, and `pr` recorded in its
/// upstream-PR section when there is one; None without frontmatter.
pub(super) fn completed(
    text: &str,
    stamp: &str,
    pr: Option<&crate::actions::forge::PrSummary>,
) -> Option<String> {
    let mut new = text.to_string();
    for (key, value) in [("status", "completed"), ("completed_at", stamp)] {
        let syntax = crate::syntax::parse(&new);
        let fm = syntax.frontmatter()?;
        new = apply(&new, &[set_scalar(&new, fm, key, value)]);
    }
    if let Some(e) = pr.and_then(|p| crate::actions::pr_body::record_pr(&new, p.number, &p.url)) {
        new = apply(&new, &[e]);
    }
    Some(new)
}

/// Does the plan, all or nothing: rewrite, move (through the editor when it can move
/// files, so open buffers follow), stage in one index write; on any failure everything
/// done so far is undone.
pub async fn carry_out(ctx: &Ctx<'_>, root: &Path, plan: &Plan, issue: Option<u64>) {
    match transaction(ctx, root, plan).await {
        Ok(staged) => {
            let ids: Vec<&str> = plan.items.iter().map(|i| i.id.as_str()).collect();
            let whose = issue.map(|n| format!(" of issue #{n}")).unwrap_or_default();
            let how = match staged {
                Staged::Renamed => "staged in git",
                Staged::Untracked => "not tracked by git: plain moves",
            };
            let mut msg = format!(
                "Archived {}{whose} to .chant/archive/ ({how}): {}.",
                count(ids.len(), "spec", "specs"),
                ids.join(", ")
            );
            if !ctx.editor.can_move() {
                let stale: Vec<String> = plan
                    .items
                    .iter()
                    .filter(|i| ctx.editor.buffer(&i.from).is_some())
                    .map(|i| {
                        i.from
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    })
                    .collect();
                if !stale.is_empty() {
                    msg.push_str(&format!(" Open buffers still show the old path (this editor cannot move them): {}; close them without saving.", stale.join(", ")));
                }
            }
            ctx.info(msg).await;
        }
        Err(why) => ctx.error(format!("Not archived: {why}.")).await,
    }
    let paths: Vec<PathBuf> = plan
        .items
        .iter()
        .flat_map(|i| [i.from.clone(), i.to.clone()])
        .collect();
    ctx.editor.reload(paths).await;
}

async fn transaction(ctx: &Ctx<'_>, root: &Path, plan: &Plan) -> Result<Staged, String> {
    let mut originals: Vec<(PathBuf, String)> = Vec::new();
    let restore = |originals: &[(PathBuf, String)]| {
        for (p, t) in originals {
            let _ = ctx.disk.write(p, t);
        }
    };
    for (path, planned_on, new) in &plan.rewrites {
        let old = ctx
            .disk
            .read(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        // The change was computed on the model's text: never apply it to another one.
        if old != *planned_on {
            restore(&originals);
            return Err(format!(
                "{} changed on disk since the archive was planned; nothing was changed, run it again",
                path.display()
            ));
        }
        if let Err(e) = ctx.disk.write(path, new) {
            restore(&originals);
            return Err(format!(
                "cannot write {}: {e}; nothing was changed",
                path.display()
            ));
        }
        originals.push((path.clone(), old));
    }
    let moves: Vec<(PathBuf, PathBuf)> = plan
        .items
        .iter()
        .map(|i| (i.from.clone(), i.to.clone()))
        .collect();
    let moved = |m: &(PathBuf, PathBuf)| ctx.disk.exists(&m.1) && !ctx.disk.exists(&m.0);
    let undo = |done: &[&(PathBuf, PathBuf)]| -> Vec<String> {
        let mut stuck = Vec::new();
        for (from, to) in done.iter().rev() {
            if ctx.disk.move_file(to, from).is_err() {
                stuck.push(to.display().to_string());
            } else if let Some(dir) = to.parent() {
                ctx.disk.remove_empty_dir(dir);
            }
        }
        stuck
    };
    let failed = |why: String, done: Vec<&(PathBuf, PathBuf)>| {
        let stuck = undo(&done);
        restore(&originals);
        if stuck.is_empty() {
            format!("{why}; every file was moved back, nothing changed")
        } else {
            format!("{why}; these could not be moved back: {}", stuck.join(", "))
        }
    };
    if ctx.editor.can_move() {
        let r = ctx.editor.move_files(&moves).await;
        let done: Vec<&(PathBuf, PathBuf)> = moves.iter().filter(|m| moved(m)).collect();
        match r {
            Ok(()) if done.len() == moves.len() => {}
            Ok(()) => {
                return Err(failed(
                    "the editor reported the moves but not every file is where it should be".into(),
                    done,
                ))
            }
            Err(why) => {
                return Err(failed(
                    format!("the editor did not move the files ({why})"),
                    done,
                ))
            }
        }
    } else {
        let mut done = Vec::new();
        for m in &moves {
            if let Err(e) = ctx.disk.move_file(&m.0, &m.1) {
                let name =
                    m.0.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                return Err(failed(format!("could not move {name}: {e}"), done));
            }
            done.push(m);
        }
    }
    ctx.git.stage_moves(root, &moves).map_err(|e| {
        failed(
            format!("git could not stage the moves ({e})"),
            moves.iter().collect(),
        )
    })
}
