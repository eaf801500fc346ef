//! The upstream-PR phase (issue's human gate): an upstream-PR spec whose fix is not done,
//! whose branch is not pushed, or that has no PR draft yet.

use crate::model::SpecFile;

use super::Sink;

pub(super) fn check(s: &mut Sink) {
    let ws = s.ws;
    let file = s.file;
    if ws.phase(file).is_none_or(|p| p.name != "upstream-pr") {
        return;
    }
    // The issue's fix spec (the newest, if there are several).
    let fix: Option<&SpecFile> = file.issue.and_then(|n| {
        ws.issue_specs_in_phase(n, "fix")
            .map(|(_, f)| f)
            .max_by(|a, b| a.id.cmp(&b.id))
    });
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
    let own_branch = file.scalar("branch");
    if let Some(branch) = own_branch.or_else(|| fix.and_then(|f| f.scalar("branch"))) {
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
    let drafted = file.pr_section || fix.is_some_and(|f| f.pr_section);
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
