//! Fixture-driven rule tests: a multi-file workspace written inline (`//- path` headers),
//! every active spec's diagnostics rendered as text, compared with a snapshot
//! (`UPDATE_EXPECT=1 cargo test` rewrites them).

use std::path::PathBuf;
use std::sync::Arc;

use crate::fixture::{load, parse_fixture, root};

use expect_test::{expect, Expect};

use crate::model::vfs::MemFs;
use crate::model::{Location, Workspace};
use crate::syntax::edit::apply;
use crate::syntax::{Encoding, LineIndex};

/// The lines of [`render`] that contain `needle`.
fn render_lines_with(ws: &Workspace, needle: &str) -> String {
    render(ws)
        .lines()
        .filter(|l| l.contains(needle))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `path:line:col: code: message` per diagnostic, and each fix as the edited line(s).
fn render(ws: &Workspace) -> String {
    let mut specs: Vec<_> = ws
        .specs()
        .filter(|(_, f)| f.location == Location::Active)
        .collect();
    specs.sort_by(|a, b| a.1.rel.cmp(&b.1.rel));
    let mut out = String::new();
    for (key, f) in specs {
        let lines = LineIndex::new(f.kept_text().unwrap());
        for d in super::check_spec(ws, key) {
            let (l, c) = lines.position(f.kept_text().unwrap(), d.range.start(), Encoding::Utf32);
            let name = f.rel.rsplit('/').next().unwrap_or("");
            out.push_str(&format!(
                "{name}:{}:{}: {}[{}]: {}\n",
                l + 1,
                c + 1,
                d.severity.as_str(),
                d.code,
                d.message
            ));
            for fix in &d.fixes {
                let fixed = apply(f.kept_text().unwrap(), &fix.edits);
                let changed: Vec<&str> = fixed
                    .lines()
                    .filter(|l| !f.kept_text().unwrap().lines().any(|o| o == *l))
                    .collect();
                out.push_str(&format!(
                    "    fix {:?}: {}\n",
                    fix.title,
                    changed.join(" / ")
                ));
            }
        }
    }
    out
}

fn check(fixture: &str, expect: Expect) {
    expect.assert_eq(&render(&load(fixture)));
}

#[test]
fn dependency_graph() {
    check(
        r#"
//- .chant/specs/2026-03-01-001-aaa.md
---
depends_on: [2026-03-01-002-bbb]
---
# A
//- .chant/specs/2026-03-01-002-bbb.md
---
depends_on:
- 2026-03-01-003-ccc
- 2026-03-01-002-bbb
---
# B
//- .chant/specs/2026-03-01-003-ccc.md
---
depends_on: [2026-03-01-001-aaa, 2026-02-01-001-old, 004-x7m, 2026-03]
---
# C
//- .chant/specs/2026-03-01-004-x7m.md
---
---
# D
//- .chant/specs/2026-03-01-004-x7m.1.md
---
---
# D1
//- .chant/specs/2026-03-01-009-orf.2.md
---
members: [2026-03-01-009-orf.1]
---
# Orphan
//- .chant/archive/2026-02-01/2026-02-01-001-old.md
---
status: completed
---
# Old
"#,
        expect![[r#"
            2026-03-01-001-aaa.md:2:14: error[dependency-cycle]: dependency cycle: 2026-03-01-001-aaa -> 2026-03-01-002-bbb -> 2026-03-01-003-ccc -> 2026-03-01-001-aaa; none of these specs can ever become ready
            2026-03-01-002-bbb.md:3:3: error[dependency-cycle]: dependency cycle: 2026-03-01-002-bbb -> 2026-03-01-003-ccc -> 2026-03-01-001-aaa -> 2026-03-01-002-bbb; none of these specs can ever become ready
            2026-03-01-002-bbb.md:4:3: error[self-dependency]: '2026-03-01-002-bbb' is this spec's own ID: a spec that depends on itself never becomes ready
            2026-03-01-003-ccc.md:2:14: error[dependency-cycle]: dependency cycle: 2026-03-01-003-ccc -> 2026-03-01-001-aaa -> 2026-03-01-002-bbb -> 2026-03-01-003-ccc; none of these specs can ever become ready
            2026-03-01-003-ccc.md:2:34: hint[archived-dependency]: '2026-02-01-001-old' is archived (.chant/archive/2026-02-01/2026-02-01-001-old.md, status completed); chant's lint calls archived dependencies unknown and `chant work` treats this spec as blocked
            2026-03-01-003-ccc.md:2:54: error[inexact-dependency-id]: '004-x7m' is not an exact spec ID: chant compares `depends_on` entries exactly and reports it unknown. It means '2026-03-01-004-x7m'
                fix "Use the full ID `2026-03-01-004-x7m`": depends_on: [2026-03-01-001-aaa, 2026-02-01-001-old, 2026-03-01-004-x7m, 2026-03]
            2026-03-01-003-ccc.md:2:63: error[unknown-dependency]: Unknown dependency '2026-03': not an exact ID, and it matches several specs (2026-03-01-001-aaa, 2026-03-01-002-bbb, 2026-03-01-004-x7m, 2026-03-01-004-x7m.1, 2026-03-01-009-orf.2)
                fix "Use `2026-03-01-001-aaa`": depends_on: [2026-03-01-001-aaa, 2026-02-01-001-old, 004-x7m, 2026-03-01-001-aaa]
                fix "Use `2026-03-01-002-bbb`": depends_on: [2026-03-01-001-aaa, 2026-02-01-001-old, 004-x7m, 2026-03-01-002-bbb]
                fix "Use `2026-03-01-004-x7m`": depends_on: [2026-03-01-001-aaa, 2026-02-01-001-old, 004-x7m, 2026-03-01-004-x7m]
                fix "Use `2026-03-01-004-x7m.1`": depends_on: [2026-03-01-001-aaa, 2026-02-01-001-old, 004-x7m, 2026-03-01-004-x7m.1]
                fix "Use `2026-03-01-009-orf.2`": depends_on: [2026-03-01-001-aaa, 2026-02-01-001-old, 004-x7m, 2026-03-01-009-orf.2]
            2026-03-01-009-orf.2.md:1:1: warning[orphaned-member]: Orphaned member spec: its driver '2026-03-01-009-orf' does not exist (chant warns when loading)
            2026-03-01-009-orf.2.md:2:11: error[unknown-member]: Unknown member spec '2026-03-01-009-orf.1': no spec has this ID
        "#]],
    );
}

#[test]
fn chant_lint_parity() {
    check(
        r#"
//- .chant/config.md
---
lint:
  thresholds:
    complexity_files: 2
    complexity_criteria: 2
  disable: []
enterprise:
  required: [labels, nonsense]
---
# Config
//- .chant/specs/2026-03-01-001-doc.md
---
type: documentation
labels: [docs]
target_files: [a.md, b.md, c.md]
---
# Document the thing
## Acceptance Criteria
- [ ] one
- [x] two
- [X] three
//- .chant/specs/2026-03-01-002-res.md
---
type: research
labels:
model: claude-opus-4
approval:
  status: approved
---
# Research 2026-03-01-001-doc and 2026-03-01-002-res.1
```
2026-03-01-003-drv in a fence
```
//- .chant/specs/2026-03-01-003-drv.md
---
type: driver
labels: [x]
members: []
---
# Driver mentions 2026-03-01-001-doc freely
//- .chant/specs/2026-03-01-003-drv.1.md
---
labels: [x]
model: sonnet
approval: {status: pending, by: me}
---
# Member mentions 2026-03-01-003-drv.2 and 2026-03-01-001-doc
//- .chant/specs/2026-03-01-003-drv.2.md
---
labels: [x]
---
Body without a title
"#,
        expect![[r#"
            2026-03-01-001-doc.md:2:7: warning[doc-missing-tracks]: Documentation spec missing 'tracks' field: list the source globs this document describes, so drift can be detected
            2026-03-01-001-doc.md:4:1: warning[too-many-files]: Spec touches 3 files (>2) - consider splitting
            2026-03-01-001-doc.md:7:1: warning[too-many-criteria]: Spec has 3 acceptance criteria (>2) - consider splitting for haiku (`chant split 2026-03-01-001-doc`)
            2026-03-01-002-res.md:1:1: error[missing-required-field]: Missing required field 'labels' (`enterprise.required` in .chant/config.md)
            2026-03-01-002-res.md:2:7: warning[research-missing-inputs]: Research spec missing both 'informed_by' and 'origin' fields: name what the research reads
            2026-03-01-002-res.md:2:7: warning[research-missing-target-files]: Research spec missing 'target_files' field: name the document the research writes
            2026-03-01-002-res.md:5:1: error[approval-missing-at]: Approval status is Approved but 'at' timestamp is missing
            2026-03-01-002-res.md:5:1: error[approval-missing-by]: Approval status is Approved but 'by' field is missing
            2026-03-01-002-res.md:8:12: warning[id-in-body]: Spec references other spec ID(s) in body: 2026-03-01-001-doc - use depends_on for dependencies
            2026-03-01-003-drv.1.md:4:1: error[approval-by-while-pending]: Approval has 'by' field set but status is still 'pending'
            2026-03-01-003-drv.1.md:6:19: warning[sibling-reference]: Spec references sibling spec(s): 2026-03-01-003-drv.2 - member specs should be independent
            2026-03-01-003-drv.2.md:4:1: error[missing-title]: Missing title: the body needs a `# Title` line; chant names the spec by it
            2026-03-01-003-drv.md:4:10: warning[driver-empty-members]: Driver/group spec has empty 'members' array
        "#]],
    );
}

#[test]
fn files_and_criteria() {
    check(
        r#"
//- .chant/research/exists.md
x
//- .chant/prompts/standard.md
x
//- .chant/archive/2026-02-01/2026-02-01-001-old.md
---
---
# Old
//- .chant/specs/2026-03-01-001-aaa.md
---
status: completed
prompt: nope
output_schema: .chant/schemas/out.json
informed_by:
- .chant/research/exists.md
- .chant/research/missing.md
- https://github.com/o/r/issues/1
- src/**/*.rs
- .chant/specs/2026-02-01-001-old.md
context: [derived_team=core, ctx/gone.md]
---
# A
## Acceptance Criteria
- [x] done
- [ ] not done
```
- [ ] fenced, not counted
```
//- .chant/specs/2026-03-01-002-bbb.md
---
prompt: standard
output_schema: schemas/none.json
---
# B
"#,
        expect![[r#"
            2026-03-01-001-aaa.md:3:9: warning[missing-file]: prompt 'nope' has no file `.chant/prompts/nope.md`: `chant work` refuses to run this spec
            2026-03-01-001-aaa.md:4:16: error[output-schema-missing]: Output schema file not found: .chant/schemas/out.json
            2026-03-01-001-aaa.md:7:3: warning[missing-file]: `informed_by` names `.chant/research/missing.md`, which does not exist: the agent will work without it
            2026-03-01-001-aaa.md:10:3: warning[missing-file]: `informed_by` names `.chant/specs/2026-02-01-001-old.md`, which was archived to `.chant/archive/2026-02-01/2026-02-01-001-old.md`
                fix "Point to `.chant/archive/2026-02-01/2026-02-01-001-old.md`": - .chant/archive/2026-02-01/2026-02-01-001-old.md
            2026-03-01-001-aaa.md:11:30: warning[missing-file]: `context` names `ctx/gone.md`, which does not exist: chant silently skips it
            2026-03-01-001-aaa.md:16:1: warning[unchecked-criteria]: this spec is completed but this acceptance criterion is unchecked: chant refuses to complete a spec while a `- [ ]` remains
                fix "Check this criterion": - [x] not done
            2026-03-01-002-bbb.md:3:16: warning[missing-file]: output schema `schemas/none.json` does not exist: the agent's output cannot be validated
        "#]],
    );
}

#[test]
fn syntax_and_values() {
    check(
        "
//- .chant/specs/2026-03-01-001-aaa.md
---
type: docs
status:
labels: bug
depends_on: {a: b}
status: pending
replay_count: '3'
public: yes
commit: abc123
retry_state: {attempts: 1}
---
# A
//- .chant/specs/2026-03-01-002-bbb.md
---
labels:
\t- tabbed
---
# B
//- .chant/specs/2026-03-01-003-ccc.md
---
title: a: b: c
---
# C
//- .chant/specs/2026-03-01-004-ddd.md
---
type: code
# D never closed
//- .chant/specs/2026-03-01-005-eee.md
\u{feff}---
type: code
---
# E
",
        expect![[r#"
            2026-03-01-001-aaa.md:1:1: error[parse-error]: chant cannot load this spec ("Invalid YAML frontmatter"): every chant command skips it, and specs that depend on it see an unknown dependency
            2026-03-01-001-aaa.md:2:7: error[invalid-value]: `docs` is not a valid `type`: chant refuses to load this spec. Allowed: code, task, driver, group, documentation, research
            2026-03-01-001-aaa.md:3:7: error[invalid-value]: `status` needs a value, not an empty value: chant refuses to load this spec. Allowed: pending, in_progress, paused, completed, failed, needs_attention, ready, blocked, cancelled
            2026-03-01-001-aaa.md:4:9: error[invalid-value]: `labels` must be a list (`- item` lines or `[a, b]`), not a single value: chant refuses to load this spec
                fix "Change to `[bug]`": labels: [bug]
            2026-03-01-001-aaa.md:5:13: error[invalid-value]: `depends_on` must be a spec ID or a list of them, not a mapping
            2026-03-01-001-aaa.md:6:1: error[invalid-value]: duplicate key `status`: chant refuses a spec that sets a field twice; remove one
            2026-03-01-001-aaa.md:7:15: error[invalid-value]: `replay_count` must be a whole number (unquoted): chant refuses to load this spec
                fix "Change to `3`": replay_count: 3
            2026-03-01-001-aaa.md:8:9: error[invalid-value]: `public` must be `true` or `false`: chant refuses to load this spec
                fix "Change to `true`": public: true
                fix "Change to `false`": public: false
            2026-03-01-001-aaa.md:9:1: warning[unknown-field]: unknown field `commit`: chant ignores it and drops it the next time it rewrites this spec; did you mean `commits`?
                fix "Rename to `commits`": commits: abc123
            2026-03-01-001-aaa.md:10:14: error[invalid-value]: `retry_state` is missing `last_retry_time`, which chant requires
            2026-03-01-001-aaa.md:10:14: error[invalid-value]: `retry_state` is missing `next_retry_time`, which chant requires
            2026-03-01-002-bbb.md:1:1: error[parse-error]: chant cannot load this spec ("Invalid YAML frontmatter"): every chant command skips it, and specs that depend on it see an unknown dependency
            2026-03-01-002-bbb.md:3:1: error[invalid-value]: tab used for indentation: YAML forbids tabs there, and chant refuses to load this spec
                fix "Indent with spaces":   - tabbed
            2026-03-01-003-ccc.md:1:1: error[parse-error]: chant cannot load this spec ("Invalid YAML frontmatter"): every chant command skips it, and specs that depend on it see an unknown dependency
            2026-03-01-003-ccc.md:2:9: error[yaml-syntax]: invalid YAML: mapping values are not allowed in this context (a value containing ': ' needs quotes); chant refuses to load this spec
            2026-03-01-004-ddd.md:1:1: warning[unclosed-frontmatter]: this `---` opens a frontmatter that is never closed: chant reads the whole file as the body and uses default type and status
            2026-03-01-005-eee.md:1:1: warning[byte-order-mark]: the file starts with a byte-order mark: chant then does not see the frontmatter and uses default type and status
                fix "Remove the byte-order mark": 
        "#]],
    );
}

#[test]
fn maintainer_workflow_phases() {
    check(
        r#"
//- .chant/prompts/reproduce.md
x
//- .chant/specs/2026-03-01-001-cmp.md
---
type: research
labels: [issue-1234, comprehension]
informed_by: [https://github.com/acme/kvstore/issues/1234]
target_files: [.chant/research/issue-1234-comprehension.md]
---
# Comprehension: issue #1234 lost writes
//- .chant/specs/2026-03-01-002-rep.md
---
type: research
labels: [issue-1234, reproduction]
target_files: [src/store.rs]
---
# Reproduce issue #1234
//- .chant/specs/2026-03-01-003-rca.md
---
type: research
labels: [issue-1234, root-cause]
informed_by: [.chant/research/issue-1234-comprehension.md, tests/regression/issue_1234_test.rs]
target_files: [.chant/research/issue-1234-root-cause.md]
---
# Root cause: issue #1234
//- .chant/specs/2026-03-01-004-imp.md
---
type: research
labels: [issue-1234, impact-map]
informed_by: [.chant/research/issue-1234-root-cause.md]
target_files: [notes.md]
---
# Impact map: issue #1234
//- .chant/specs/2026-03-01-005-fix.md
---
type: task
labels: [issue-1234, fix]
target_files: [.chant/research/fix-notes.md]
---
# Fix issue #1234: writes are lost under contention
## Acceptance Criteria
- [ ] locking added
//- .chant/specs/2026-03-01-006-pr.md
---
type: documentation
labels: [upstream-pr]
tracks: [src/**]
target_files: [.chant/research/issue-77-pr.md]
---
# Upstream PR
"#,
        expect![[r#"
            2026-03-01-002-rep.md:1:1: warning[missing-phase-field]: Reproduction spec: `informed_by` lacks the comprehension output (`.chant/research/issue-1234-comprehension.md`): the reproduction builds on what comprehension found
                fix "Add `.chant/research/issue-1234-comprehension.md` to informed_by": informed_by: / - .chant/research/issue-1234-comprehension.md
            2026-03-01-002-rep.md:1:1: information[missing-phase-field]: Reproduction spec: no `prompt`, although `.chant/prompts/reproduce.md` exists: this project has a `reproduce` prompt written for this phase
                fix "Set prompt to `reproduce`": prompt: reproduce
            2026-03-01-002-rep.md:2:7: warning[missing-phase-field]: Reproduction spec: `type` is `research`, this phase needs `task` or `code`: reproduction writes a failing regression test
                fix "Set type to `task`": type: task
            2026-03-01-002-rep.md:2:7: warning[research-missing-inputs]: Research spec missing both 'informed_by' and 'origin' fields: name what the research reads
            2026-03-01-002-rep.md:4:1: warning[missing-phase-field]: Reproduction spec: `target_files` names no test file (`tests/…`, `test_*`, `*_test.*`): the regression test is what later phases and the upstream PR point to
            2026-03-01-003-rca.md:4:1: warning[missing-phase-field]: Root cause spec: `informed_by` lacks the reproduction output (`src/store.rs`): the analysis starts from the comprehension document and the failing test
                fix "Add `src/store.rs` to informed_by": informed_by: [.chant/research/issue-1234-comprehension.md, tests/regression/issue_1234_test.rs, src/store.rs]
            2026-03-01-003-rca.md:4:15: warning[missing-file]: `informed_by` names `.chant/research/issue-1234-comprehension.md`, which does not exist: the agent will work without it
            2026-03-01-003-rca.md:4:60: warning[missing-file]: `informed_by` names `tests/regression/issue_1234_test.rs`, which does not exist: the agent will work without it
            2026-03-01-004-imp.md:1:1: warning[missing-phase-field]: Impact map spec: `depends_on` does not name the root cause spec: it cannot start before the root cause is known
                fix "Add `2026-03-01-003-rca` to depends_on": depends_on: / - 2026-03-01-003-rca
            2026-03-01-004-imp.md:4:15: warning[missing-file]: `informed_by` names `.chant/research/issue-1234-root-cause.md`, which does not exist: the agent will work without it
            2026-03-01-004-imp.md:5:1: warning[missing-phase-field]: Impact map spec: `target_files` names no document under `.chant/research/`: the fix reads the impact map to cover every affected place
                fix "Add `.chant/research/issue-1234-impact-map.md` to target_files": target_files: [notes.md, .chant/research/issue-1234-impact-map.md]
            2026-03-01-005-fix.md:1:1: warning[missing-phase-field]: Fix spec: `informed_by` lacks the root cause output (`.chant/research/issue-1234-root-cause.md`) and the impact map output (`notes.md`): the fix implements what root cause and impact map found
                fix "Add `.chant/research/issue-1234-root-cause.md` to informed_by": informed_by: / - .chant/research/issue-1234-root-cause.md
            2026-03-01-005-fix.md:1:1: warning[missing-phase-field]: Fix spec: `depends_on` does not name the impact map or root cause spec: the fix waits for the research phases
                fix "Add `2026-03-01-004-imp` to depends_on": depends_on: / - 2026-03-01-004-imp
            2026-03-01-005-fix.md:2:7: warning[missing-phase-field]: Fix spec: `type` is `task`, this phase needs `code`: the fix changes code
                fix "Set type to `code`": type: code
            2026-03-01-005-fix.md:4:1: warning[missing-phase-field]: Fix spec: `target_files` names no source file outside `.chant/`: a fix must name the source files it changes, not only `.chant/` documents
            2026-03-01-005-fix.md:7:1: information[missing-phase-field]: Fix spec: no acceptance criterion mentions a test: the fix is done when the regression test passes
            2026-03-01-006-pr.md:1:1: warning[missing-phase-field]: Upstream PR spec: `depends_on` does not name the fix spec: the pull request is opened only after the fix is completed
            2026-03-01-006-pr.md:1:1: warning[missing-phase-field]: Upstream PR spec: `informed_by` lacks the comprehension output and the root cause output: the PR description is drafted from the research documents
            2026-03-01-006-pr.md:3:1: information[missing-phase-field]: Upstream PR spec: no `issue-N` label and no `#N` in the title: the specs of one investigation are tied together by the issue number
                fix "Add label `issue-77`": labels: [upstream-pr, issue-77]
            2026-03-01-006-pr.md:7:1: warning[pr-body-missing]: no pull request draft yet: run the code action "Draft upstream PR body" to write it from the investigation
        "#]],
    );
}

/// Every spec's diagnostics, rendered for comparison.
fn all_rendered(ws: &Workspace) -> std::collections::HashMap<PathBuf, String> {
    ws.specs()
        .map(|(k, f)| (f.path.clone(), format!("{:?}", super::check_spec(ws, k))))
        .collect()
}

/// Re-checks what one update said it affected, as the server does, then asserts that
/// what is shown equals a fresh workspace's diagnostics.
fn recheck_and_compare(
    ws: &Workspace,
    affected: crate::model::workspace::Affected,
    shown: &mut std::collections::HashMap<PathBuf, String>,
    fresh: &Workspace,
    after: &str,
) {
    for removed in &affected.removed {
        shown.remove(removed);
    }
    if affected.all {
        *shown = all_rendered(ws);
    }
    for k in affected.specs {
        if let Some(f) = ws.get(k) {
            shown.insert(f.path.clone(), format!("{:?}", super::check_spec(ws, k)));
        }
    }
    let expected = all_rendered(fresh);
    assert_eq!(shown.len(), expected.len(), "after {after}");
    for (p, d) in &expected {
        assert_eq!(
            shown.get(p),
            Some(d),
            "stale diagnostics for {} after {after}",
            p.display()
        );
    }
}

/// marksman's "paranoid" check: after every incremental update, re-checking only the
/// specs the model said were affected leaves every spec's diagnostics equal to a
/// from-scratch recomputation.
#[test]
fn incremental_updates_recheck_exactly_enough() {
    let fixture = r#"
//- .chant/specs/2026-03-01-001-aaa.md
---
labels: [issue-7, root-cause]
type: research
target_files: [.chant/research/issue-7-root-cause.md]
---
# Root cause
//- .chant/specs/2026-03-01-002-bbb.md
---
labels: [issue-7, impact-map]
type: research
depends_on: [2026-03-01-001-aaa]
---
# Impact
//- .chant/specs/2026-03-01-003-ccc.md
---
depends_on: [2026-03-01-002-bbb, 003-ddd]
informed_by: [.chant/research/notes.md]
---
# C
//- .chant/specs/2026-03-01-004-ddd.1.md
---
---
# Member
//- .chant/specs/2026-03-01-005-eee.md
---
labels: [issue-7, fix]
target_files: [src/x.rs]
---
# Fix
"#;
    let fs = Arc::new(MemFs::new(parse_fixture(fixture)));
    let mut ws = Workspace::load(root(), fs.clone());
    let mut shown = all_rendered(&ws);
    let p = |n: &str| root().join(format!(".chant/specs/2026-03-01-{n}.md"));
    let steps: Vec<(PathBuf, Option<&str>)> = vec![
        // A sibling's output changes: the impact map's message names the new path.
        (p("001-aaa"), Some("---\nlabels: [issue-7, root-cause]\ntype: research\ntarget_files: [.chant/research/rc.md]\n---\n# Root cause\n")),
        // A dependency stops loading: its dependent (not a sibling) must say so.
        (p("002-bbb"), Some("---\nlabels: [issue-7, impact-map]\ntype: docs\n---\n# Impact\n")),
        (p("002-bbb"), Some("---\nlabels: [issue-7, impact-map]\ntype: research\ndepends_on: [2026-03-01-001-aaa]\n---\n# Impact\n")),
        (p("001-aaa"), Some("---\nlabels: [issue-7, root-cause]\ntype: code\ndepends_on: [2026-03-01-003-ccc]\n---\n# Root cause\n")),
        (p("003-ddd"), Some("---\n---\n# D\n")),
        (p("004-ddd"), Some("---\n---\n# Driver\n")),
        (root().join(".chant/research/notes.md"), Some("notes")),
        (p("002-bbb"), None),
        (p("001-aaa"), Some("---\nlabels: [issue-8]\n---\n# Root cause, now about #8\n")),
        (p("003-ccc"), Some("---\ndepends_on: [2026-03-01-001-aaa]\n---\n# C body edit\n")),
        (p("004-ddd"), None),
        (root().join(".chant/config.md"), Some("---\nlint:\n  thresholds:\n    complexity_files: 0\n---\n")),
    ];
    for (path, text) in steps {
        match text {
            Some(t) => fs.write(&path, t.as_bytes().to_vec()),
            None => fs.remove(&path),
        }
        let affected = ws.update(&path, None);
        let fresh = Workspace::load(root(), fs.clone());
        let after = format!("changing {}", path.display());
        recheck_and_compare(&ws, affected, &mut shown, &fresh, &after);
    }
}

#[test]
fn upstream_pr_phase() {
    struct Unpushed;
    impl crate::model::vcs::Vcs for Unpushed {
        fn pushed(&self, _: &std::path::Path, branch: &str) -> Option<bool> {
            (branch == "fix-9").then_some(false)
        }
    }
    let fixture = r#"
//- .chant/specs/2026-03-01-005-fix.md
---
type: code
status: in_progress
labels: [issue-9, fix]
branch: fix-9
---
# Fix issue #9: x
//- .chant/specs/2026-03-01-006-upr.md
---
type: task
labels: [issue-9, upstream-pr]
depends_on: [2026-03-01-005-fix]
informed_by: [comprehension.md, root-cause.md]
---
# Upstream PR for #9
"#;
    let mut ws = load(fixture);
    ws.vcs = Arc::new(Unpushed);
    let only_pr = |ws: &Workspace| render_lines_with(ws, "[pr-");
    expect![[r#"
        2026-03-01-006-upr.md:1:1: warning[pr-branch-not-pushed]: the branch `fix-9` is not pushed (or is ahead of its remote): run `git push -u origin fix-9` before submitting the PR
        2026-03-01-006-upr.md:4:14: warning[pr-fix-incomplete]: the fix spec `2026-03-01-005-fix` is `in_progress`: the pull request waits until the fix is completed"#]].assert_eq(&only_pr(&ws));
    // Once the fix is completed (and pushed), the missing draft is what is left.
    let done = fixture.replace("status: in_progress", "status: completed");
    let ws = load(&done);
    expect![[r#"2026-03-01-006-upr.md:7:1: warning[pr-body-missing]: no pull request draft yet: run the code action "Draft upstream PR body" to write it from the investigation"#]].assert_eq(&only_pr(&ws));
}

#[test]
fn output_is_bounded_and_escaped() {
    // A thousand unknown dependencies: the first 200 and one "and N more".
    let deps: String = (0..1000)
        .map(|i| format!("- 2026-01-01-{i:03}-zzz\n"))
        .collect();
    let ws = load(&format!(
        "//- .chant/specs/2026-03-01-001-aaa.md\n---\ndepends_on:\n{deps}---\n# A\n"
    ));
    let key = ws.specs().map(|(k, _)| k).next().expect("one spec");
    let diags = super::check_spec(&ws, key);
    assert_eq!(diags.len(), super::MAX_PER_FILE + 1);
    let last = diags.last().expect("non-empty");
    assert_eq!(last.code, "too-many-diagnostics");
    assert_eq!(
        last.message,
        "and 800 more diagnostics in this file (the first 200 are shown)"
    );
    assert!(last.range.start >= diags[super::MAX_PER_FILE - 1].range.start);

    // A control character in the frontmatter is refused at it and shown escaped.
    let ws = load("//- .chant/specs/2026-03-01-001-aaa.md\n---\ndepends_on: [2026-01-01-001-z\u{1b}z]\n---\n# A\n");
    let key = ws.specs().map(|(k, _)| k).next().expect("one spec");
    let messages: Vec<String> = super::check_spec(&ws, key)
        .into_iter()
        .map(|d| d.message)
        .collect();
    assert!(
        messages.iter().all(|m| !m.contains('\u{1b}')),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("`\\u{1b}`")),
        "{messages:?}"
    );
    assert_eq!(
        super::escape_controls("a\u{0}b\u{9f}\n\tc"),
        "a\\u{0}b\\u{9f}\n\tc"
    );
}

#[test]
fn long_cycles_are_named_briefly() {
    let n = 300;
    let fixture: String = (0..n)
        .map(|i| {
            format!(
                "//- .chant/specs/2026-03-01-{i:03}-aaa.md\n---\ndepends_on: [2026-03-01-{:03}-aaa]\n---\n# S{i}\n",
                (i + 1) % n
            )
        })
        .collect();
    let ws = load(&fixture);
    for (key, _) in ws.specs() {
        let diags = super::check_spec(&ws, key);
        let cycle = diags
            .iter()
            .find(|d| d.code == "dependency-cycle")
            .expect("on the cycle");
        assert!(
            cycle
                .message
                .contains("… (one of 300 specs that depend on each other)"),
            "{}",
            cycle.message
        );
        assert_eq!(
            cycle.message.matches(" -> ").count(),
            8,
            "{}",
            cycle.message
        );
        assert!(cycle.related.len() <= 8);
    }
    // A cycle found exactly but longer than eight names says how many more.
    let names: Vec<String> = (0..12).map(|i| format!("s{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(
        super::graph::cycle_names(&refs),
        "s0 -> s1 -> s2 -> s3 -> s4 -> s5 -> s6 -> s7 -> … and 4 more"
    );
    assert_eq!(
        super::graph::cycle_names(&refs[..9]),
        refs[..9].join(" -> ")
    );
}

/// The paranoid check again, with steps drawn at random over every kind of input a rule
/// reads: specs (statuses, exact/short/missing dependencies, issues and phases, groups),
/// files named by path fields inside and outside `.chant/`, prompts, the configuration,
/// and git (a branch pushed or not, refreshed by a change under `.git/`).
#[test]
fn incremental_equals_fresh_over_random_steps() {
    random_steps(true);
}

/// The same steps as the server takes them, keeping no text of a spec read from disk: the
/// rechecks read it again.
#[test]
fn incremental_equals_fresh_over_random_steps_without_kept_texts() {
    random_steps(false);
}

fn random_steps(keep_texts: bool) {
    use std::sync::atomic::{AtomicBool, Ordering};

    struct FlipVcs(AtomicBool);
    impl crate::model::vcs::Vcs for FlipVcs {
        fn pushed(&self, _: &std::path::Path, _: &str) -> Option<bool> {
            Some(self.0.load(Ordering::SeqCst))
        }
    }

    let ids = [
        "2026-03-01-001-aaa",
        "2026-03-01-002-bbb",
        "2026-03-01-003-ccc",
        "2026-03-01-004-ddd",
        "2026-03-01-004-ddd.1",
        "2026-03-01-005-eee",
    ];
    let spec_path = |id: &str| root().join(format!(".chant/specs/{id}.md"));
    let dep_choices = [
        "2026-03-01-001-aaa",
        "2026-03-01-002-bbb",
        "005-eee",
        "2026-03-01-009-zzz",
        "2026-03-01-004-ddd",
    ];
    let statuses = ["pending", "completed", "bogus", "in_progress"];
    let labels = [
        "[issue-7, root-cause]",
        "[issue-7, fix]",
        "[issue-7, upstream-pr]",
        "[issue-7, impact-map]",
        "[issue-8]",
        "[]",
    ];
    let extras = [
        "",
        "prompt: foo\n",
        "informed_by: [docs/notes.md]\n",
        "context: [.chant/research/ctx.md]\n",
        "output_schema: schemas/out.json\n",
        "conflicting_files: [src/x.rs]\n",
        "branch: fix-7\n",
        "type: research\ntarget_files: [.chant/research/issue-7-root-cause.md]\n",
    ];
    let named_files = [
        ".chant/prompts/foo.md",
        "docs/notes.md",
        ".chant/research/ctx.md",
        "schemas/out.json",
        ".chant/research/issue-7-root-cause.md",
        "src/x.rs",
    ];

    let fs = Arc::new(MemFs::new(
        ids.iter()
            .map(|id| (spec_path(id), "---\n---\n# Start\n".to_string())),
    ));
    let vcs = Arc::new(FlipVcs(AtomicBool::new(true)));
    let load_ws = |fs: &Arc<MemFs>| {
        let mut ws = Workspace::load_keeping(root(), fs.clone(), keep_texts);
        ws.vcs = vcs.clone();
        ws
    };
    let mut ws = load_ws(&fs);
    let mut shown = all_rendered(&ws);
    let mut rng = fastrand::Rng::with_seed(0x00c4_a117);
    for step in 0..400 {
        let pick = |rng: &mut fastrand::Rng, list: &[&'static str]| list[rng.usize(..list.len())];
        let (path, what) = match rng.u8(..10) {
            0..=4 => {
                let id = pick(&mut rng, &ids);
                let mut deps = Vec::new();
                for _ in 0..rng.usize(..3) {
                    deps.push(pick(&mut rng, &dep_choices));
                }
                let text = format!(
                    "---\nstatus: {}\nlabels: {}\ndepends_on: [{}]\n{}---\n# Fix issue #7: step {step}\n",
                    pick(&mut rng, &statuses),
                    pick(&mut rng, &labels),
                    deps.join(", "),
                    pick(&mut rng, &extras),
                );
                fs.write(&spec_path(id), text.into_bytes());
                (spec_path(id), format!("write {id}"))
            }
            5 => {
                let id = pick(&mut rng, &ids);
                fs.remove(&spec_path(id));
                (spec_path(id), format!("remove {id}"))
            }
            6 | 7 => {
                let rel = pick(&mut rng, &named_files);
                let path = root().join(rel);
                if crate::model::vfs::Fs::exists(&*fs, &path) {
                    fs.remove(&path);
                } else {
                    fs.write(&path, b"x".to_vec());
                }
                (path, format!("toggle {rel}"))
            }
            8 => {
                let now = !vcs.0.load(Ordering::SeqCst);
                vcs.0.store(now, Ordering::SeqCst);
                (
                    root().join(".git/refs/remotes/origin/fix-7"),
                    format!("pushed = {now}"),
                )
            }
            _ => {
                let path = root().join(".chant/config.md");
                let n = rng.usize(..3);
                fs.write(
                    &path,
                    format!("---\nlint:\n  thresholds:\n    complexity_files: {n}\n---\n")
                        .into_bytes(),
                );
                (path, format!("config complexity_files {n}"))
            }
        };
        let affected = ws.update(&path, None);
        let after = format!("step {step} ({what})");
        recheck_and_compare(&ws, affected, &mut shown, &load_ws(&fs), &after);
    }
}

#[test]
fn a_stale_agent_lock_is_a_hint_the_editor_alone_shows() {
    let fixture = r#"
//- .chant/specs/2026-03-01-001-liv.md
---
status: in_progress
---
# Live agent
//- .chant/.locks/2026-03-01-001-liv.lock
4242
//- .chant/specs/2026-03-01-002-ded.md
no frontmatter, no title
//- .chant/.locks/2026-03-01-002-ded.lock
999
//- .chant/.locks/2026-03-01-003-bad.lock
not a pid
//- .chant/specs/2026-03-01-003-bad.md
# Bad lock
"#;
    let mut ws = load(fixture);
    let only_agents = |ws: &Workspace| render_lines_with(ws, "agent");
    // A machine that cannot tell (the default) reports nothing.
    assert_eq!(only_agents(&ws), "");
    ws.processes = Arc::new(crate::model::agents::Fake {
        running: vec![4242],
        offset_hours: 0,
    });
    expect![[r#"2026-03-01-002-ded.md:1:1: hint[stale-agent-lock]: stale agent lock: `.chant/.locks/2026-03-01-002-ded.lock` names PID 999, which is not running (the agent ended without removing it); delete `.chant/.locks/2026-03-01-002-ded.lock`"#]]
    .assert_eq(&only_agents(&ws));
    let (key, _) = ws.by_id("2026-03-01-002-ded").next().expect("the spec");
    let d = super::check_spec(&ws, key);
    let fix = &d
        .iter()
        .find(|d| d.code == "stale-agent-lock")
        .expect("the hint")
        .fixes;
    assert_eq!(fix.len(), 1);
    assert_eq!(
        fix[0].delete,
        Some(root().join(".chant/.locks/2026-03-01-002-ded.lock"))
    );
    assert!(fix[0].edits.is_empty() && !fix[0].safe);
    // `check` reports the files, not the machine's state.
    assert!(super::check_spec_files(&ws, key)
        .iter()
        .all(|d| d.code != "stale-agent-lock"));
    assert!(
        crate::diagnostics::catalogue::lookup("stale-agent-lock").is_some_and(|c| c.editor_only)
    );
}
