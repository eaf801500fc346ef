//! The upstream-PR phase (issue's human gate): an upstream-PR spec whose fix is not done,
//! whose branch is not pushed, or that has no PR draft yet.

use crate::model::SpecFile;

use super::Sink;

fn branch_of(f: &SpecFile) -> Option<&str> {
    f.syntax
        .root()?
        .get("branch")?
        .value
        .as_scalar()
        .filter(|b| !b.is_empty())
}

pub(super) fn check(s: &mut Sink) {
    let ws = s.ws;
    let file = s.file;
    let phases = &ws.config.phases.phases;
    let Some(pr_idx) = phases.iter().position(|p| p.name == "upstream-pr") else {
        return;
    };
    if file.phase != Some(pr_idx) {
        return;
    }
    let fix_idx = phases.iter().position(|p| p.name == "fix");
    let mut fixes: Vec<&SpecFile> = file
        .issue
        .map(|n| {
            ws.issue_specs(n)
                .map(|(_, f)| f)
                .filter(|f| f.phase.is_some() && f.phase == fix_idx)
                .collect()
        })
        .unwrap_or_default();
    fixes.sort_by(|a, b| b.id.cmp(&a.id));
    let fix = fixes.first().copied();
    if let Some(fix) = fix.filter(|f| f.facts.status() != "completed") {
        let range = file
            .facts
            .deps()
            .iter()
            .find(|d| d.value == fix.id)
            .map_or_else(|| s.key_or_spec("depends_on"), |d| d.range);
        s.push(
            "pr-fix-incomplete",
            range,
            format!(
                "the fix spec `{}` is `{}`: the pull request waits until the fix is completed",
                fix.id,
                fix.facts.status()
            ),
        );
    }
    let own_branch = branch_of(file);
    if let Some(branch) = own_branch.or_else(|| fix.and_then(branch_of)) {
        if ws.vcs.pushed(&ws.root, branch) == Some(false) {
            let range = file
                .syntax
                .root()
                .and_then(|r| r.get("branch"))
                .filter(|_| own_branch.is_some())
                .map_or_else(|| s.whole_spec_range(), |e| e.value.range);
            s.push(
                "pr-branch-not-pushed",
                range,
                format!("the branch `{branch}` is not pushed (or is ahead of its remote): run `git push -u origin {branch}` before submitting the PR"),
            );
        }
    }
    let drafted = file.graph.pr_section || fix.is_some_and(|f| f.graph.pr_section);
    let fix_done = fix.is_none_or(|f| f.facts.status() == "completed");
    if !drafted && fix_done {
        let range = file
            .syntax
            .body
            .title
            .as_ref()
            .map_or_else(|| s.whole_spec_range(), |t| t.range);
        s.push("pr-body-missing", range, "no pull request draft yet: run the code action \"Draft upstream PR body\" to write it from the investigation");
    }
}
