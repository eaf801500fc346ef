use std::path::Path;
use std::sync::Arc;

use expect_test::{expect, Expect};

use super::*;
use crate::diagnostics::{self, Severity};
use crate::fixture::{parse_fixture, root};
use crate::model::vfs::MemFs;

const LONE_COMPREHENSION: &str = r#"
//- .chant/specs/2026-02-08-001-a1b.md
---
type: research
status: completed
labels:
- issue-1234
- comprehension
informed_by:
- https://github.com/acme/kvstore/issues/1234
target_files:
- .chant/research/issue-1234-comprehension.md
---
# Comprehension: issue #1234 concurrent writes lose data
//- .chant/research/issue-1234-comprehension.md
notes
//- .chant/prompts/reproduce.md
Write a failing test.
"#;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 2, 9).expect("a date")
}

/// A deterministic random source: 0, 1, 2, …
fn counter() -> impl FnMut() -> u32 {
    let mut n = 0;
    move || {
        n += 1;
        n - 1
    }
}

fn workspace(fixture: &str) -> (Arc<MemFs>, Workspace) {
    let fs = Arc::new(MemFs::new(parse_fixture(fixture)));
    let ws = Workspace::load(root(), fs.clone());
    (fs, ws)
}

/// chant's ID grammar for generated IDs: `YYYY-MM-DD-<3 base36>-<3 base36>`.
fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    let b36 = |c: &u8| c.is_ascii_digit() || c.is_ascii_lowercase();
    b.len() == 18
        && id
            .get(..10)
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .is_some()
        && b[10] == b'-'
        && b[11..14].iter().all(b36)
        && b[14] == b'-'
        && b[15..].iter().all(b36)
}

/// Starts every phase in turn, as an agent would finish each (its outputs written),
/// and checks each new spec: valid unique ID, no `missing-phase-field`, no error.
fn run_sequence(fixture: &str, issue: u64) -> String {
    let (fs, mut ws) = workspace(fixture);
    let mut random = counter();
    let mut shown = String::new();
    let mut ids = Vec::new();
    while let Some(phase) = startable(&ws, issue).first().map(|p| p.name.clone()) {
        let new = plan(&ws, issue, &phase, today(), &mut random).expect("a plan");
        assert!(valid_id(&new.id), "{}", new.id);
        assert!(!ids.contains(&new.id), "unique: {}", new.id);
        assert!(ws.by_id(&new.id).next().is_none());
        assert_eq!(new.path, root().join(&new.rel));
        ids.push(new.id.clone());
        fs.write(&new.path, new.text.clone().into_bytes());
        ws.update(&new.path, None);
        let key = ws.key_of(&new.path).expect("the new spec loads");
        let f = ws.get(key).expect("spec");
        assert_eq!(
            ws.phase(f).map(|p| p.name.as_str()),
            Some(phase.as_str()),
            "recognised as its phase"
        );
        let diags = diagnostics::check_spec(&ws, key);
        let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
        assert!(
            !codes.contains(&"missing-phase-field"),
            "{phase}: {:#?}",
            diags
        );
        assert!(
            diags.iter().all(|d| d.severity != Severity::Error),
            "{phase}: {diags:#?}"
        );
        // The agent does the work: its outputs exist, its status is completed.
        let outputs: Vec<String> = items(&f.facts.target_files)
            .iter()
            .map(|i| i.value.clone())
            .collect();
        for o in outputs {
            fs.write(&root().join(&o), b"done".to_vec());
        }
        let done = new.text.replace("status: pending", "status: completed");
        fs.write(&new.path, done.into_bytes());
        ws.update(&new.path, None);
        shown.push_str(&format!(
            "//- {} ({phase}) other diagnostics: {codes:?}\n{}",
            new.rel, new.text
        ));
    }
    shown
}

fn check(fixture: &str, issue: u64, expect: Expect) {
    expect.assert_eq(&run_sequence(fixture, issue));
}

#[test]
fn every_phase_in_turn_from_a_lone_comprehension_spec() {
    check(
        LONE_COMPREHENSION,
        1234,
        expect![[r#"
            //- .chant/specs/2026-02-09-001-000.md (reproduction) other diagnostics: []
            ---
            type: task
            status: pending
            prompt: reproduce
            labels:
            - issue-1234
            - reproduction
            depends_on:
            - 2026-02-08-001-a1b
            informed_by:
            - .chant/research/issue-1234-comprehension.md
            target_files:
            - tests/regression/issue_1234_test
            ---
            # Reproduce issue #1234: concurrent writes lose data

            Write a regression test that fails the way the issue describes. Rename the test file in `target_files` to the project's convention.

            ## Acceptance Criteria

            - [ ] The regression test fails on the main branch
            - [ ] The failure matches the reported symptom
            //- .chant/specs/2026-02-09-002-001.md (root-cause) other diagnostics: []
            ---
            type: research
            status: pending
            labels:
            - issue-1234
            - root-cause
            depends_on:
            - 2026-02-09-001-000
            informed_by:
            - .chant/research/issue-1234-comprehension.md
            - tests/regression/issue_1234_test
            target_files:
            - .chant/research/issue-1234-root-cause.md
            ---
            # Root cause: issue #1234: concurrent writes lose data

            Find why the failure happens, starting from the comprehension document and the failing test.

            ## Acceptance Criteria

            - [ ] Root cause identified with file and line
            - [ ] Recommended solution written down
            //- .chant/specs/2026-02-09-003-002.md (impact-map) other diagnostics: []
            ---
            type: research
            status: pending
            labels:
            - issue-1234
            - impact-map
            depends_on:
            - 2026-02-09-002-001
            informed_by:
            - .chant/research/issue-1234-root-cause.md
            target_files:
            - .chant/research/issue-1234-impact-map.md
            ---
            # Impact map: issue #1234: concurrent writes lose data

            Find every other place with the root cause's pattern.

            ## Acceptance Criteria

            - [ ] Similar patterns listed with file and line
            - [ ] Each place marked affected or not
            //- .chant/specs/2026-02-09-004-003.md (fix) other diagnostics: []
            ---
            type: code
            status: pending
            labels:
            - issue-1234
            - fix
            depends_on:
            - 2026-02-09-003-002
            informed_by:
            - .chant/research/issue-1234-root-cause.md
            - .chant/research/issue-1234-impact-map.md
            target_files:
            - tests/regression/issue_1234_test
            ---
            # Fix issue #1234: concurrent writes lose data

            Implement the fix the root cause and impact map call for. Add the source files it changes to `target_files`.

            ## Acceptance Criteria

            - [ ] Every affected place from the impact map is fixed
            - [ ] The regression test passes
            //- .chant/specs/2026-02-09-005-004.md (upstream-pr) other diagnostics: ["pr-body-missing"]
            ---
            type: task
            status: pending
            labels:
            - issue-1234
            - upstream-pr
            depends_on:
            - 2026-02-09-004-003
            informed_by:
            - .chant/research/issue-1234-comprehension.md
            - .chant/research/issue-1234-root-cause.md
            ---
            # Upstream PR: issue #1234: concurrent writes lose data

            Human gate: review the fix and open the pull request upstream.

            ## Acceptance Criteria

            - [ ] Pull request opened upstream
        "#]],
    );
}

#[test]
fn a_projects_own_phase_table() {
    let fixture = format!(
        "{LONE_COMPREHENSION}//- .chant/lsp.yaml\n{}",
        r#"phases:
  - name: retro
    title: Retrospective
    labels: [retro]
    requires:
      - check: type
        values: [task]
      - check: informed-by
        phases: [comprehension]
    template:
      title: "Retrospective #{issue}: {summary}"
      criteria: [Lessons written down]
  - name: reproduction
    template:
      target_files: ["spec/issue_{issue}_spec.rb"]
  - name: root-cause
    template:
      standalone: true
  - name: impact-map
    template:
      standalone: true
  - name: fix
    requires:
      - check: depends-on
        phases: [reproduction]
      - check: code-target
  - name: upstream-pr
    requires:
      - check: depends-on
        phases: [fix]
      - check: informed-by
        phases: [comprehension]
"#
    );
    check(
        &fixture,
        1234,
        expect![[r#"
            //- .chant/specs/2026-02-09-001-000.md (reproduction) other diagnostics: []
            ---
            type: task
            status: pending
            prompt: reproduce
            labels:
            - issue-1234
            - reproduction
            depends_on:
            - 2026-02-08-001-a1b
            informed_by:
            - .chant/research/issue-1234-comprehension.md
            target_files:
            - spec/issue_1234_spec.rb
            ---
            # Reproduce issue #1234: concurrent writes lose data

            Write a regression test that fails the way the issue describes. Rename the test file in `target_files` to the project's convention.

            ## Acceptance Criteria

            - [ ] The regression test fails on the main branch
            - [ ] The failure matches the reported symptom
            //- .chant/specs/2026-02-09-002-001.md (fix) other diagnostics: []
            ---
            status: pending
            labels:
            - issue-1234
            - fix
            depends_on:
            - 2026-02-09-001-000
            target_files:
            - spec/issue_1234_spec.rb
            ---
            # Fix issue #1234: concurrent writes lose data

            Implement the fix the root cause and impact map call for. Add the source files it changes to `target_files`.

            ## Acceptance Criteria

            - [ ] Every affected place from the impact map is fixed
            - [ ] The regression test passes
            //- .chant/specs/2026-02-09-003-002.md (upstream-pr) other diagnostics: ["pr-body-missing"]
            ---
            type: task
            status: pending
            labels:
            - issue-1234
            - upstream-pr
            depends_on:
            - 2026-02-09-002-001
            informed_by:
            - .chant/research/issue-1234-comprehension.md
            ---
            # Upstream PR: issue #1234: concurrent writes lose data

            Human gate: review the fix and open the pull request upstream.

            ## Acceptance Criteria

            - [ ] Pull request opened upstream
            //- .chant/specs/2026-02-09-004-003.md (retro) other diagnostics: []
            ---
            type: task
            status: pending
            labels:
            - issue-1234
            - retro
            depends_on:
            - 2026-02-09-003-002
            informed_by:
            - .chant/research/issue-1234-comprehension.md
            ---
            # Retrospective #1234: concurrent writes lose data

            ## Acceptance Criteria

            - [ ] Lessons written down
        "#]],
    );
}

#[test]
fn offered_only_for_phases_not_started() {
    let (_, ws) = workspace(LONE_COMPREHENSION);
    let names: Vec<&str> = startable(&ws, 1234)
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "reproduction",
            "root-cause",
            "impact-map",
            "fix",
            "upstream-pr"
        ]
    );
    let err = plan(&ws, 1234, "comprehension", today(), &mut counter()).unwrap_err();
    assert!(err.contains("already has"), "{err}");
    assert!(plan(&ws, 1234, "nope", today(), &mut counter()).is_err());
    // Single-spec mode: nothing to start.
    let (_, ws) = workspace(
        "//- .chant/specs/2026-02-08-001-inv.md\n---\nlabels: [issue-7, investigation]\n---\n# Investigate issue #7\n",
    );
    assert!(startable(&ws, 7).is_empty());
}

#[test]
fn ids_follow_the_days_sequence_in_base36() {
    let (_, ws) = workspace(
        "//- .chant/specs/2026-02-09-009-aaa.md\n# a\n//- .chant/archive/2026-02-09/2026-02-09-00z-bbb.md\n# archived: not counted\n",
    );
    let id = next_id(&ws, today(), &mut || 36 * 36 + 36 + 1).unwrap();
    assert_eq!(id, "2026-02-09-00a-111");
    // A drawn suffix that collides (here with an archived spec) is redrawn.
    let (_, ws) = workspace("//- .chant/archive/2026-02-09/2026-02-09-001-000.md\n# x\n");
    let id = next_id(&ws, today(), &mut counter()).unwrap();
    assert_eq!(id, "2026-02-09-001-001");
    assert_eq!(base36(46655, 3), "zzz");
}

#[test]
fn scalars_that_yaml_would_misread_are_quoted() {
    for (s, want) in [
        ("issue-12", "issue-12"),
        ("https://x.org/a/issues/1", "https://x.org/a/issues/1"),
        ("true", "\"true\""),
        ("12", "\"12\""),
        ("a: b", "\"a: b\""),
        ("# x", "\"# x\""),
        ("say \"hi\"", "\"say \\\"hi\\\"\""),
        ("", "\"\""),
    ] {
        assert_eq!(yaml_scalar(s), want, "{s}");
    }
    assert!(Path::new(&research_output(3, "fix")).starts_with(".chant/research"));
}
