//! One fixture per behaviour, the answer rendered as text and compared with a snapshot
//! (`UPDATE_EXPECT=1 cargo test` rewrites them).

use expect_test::{expect, Expect};

use crate::fixture::{load, load_with_cursor, ROOT};
use crate::model::Workspace;
use crate::syntax::{Encoding, LineIndex, TextRange};

use super::FileRange;

/// `file:line:col` of a range start, for snapshots.
fn pos(ws: &Workspace, fr: &FileRange) -> String {
    let name = fr.path.strip_prefix(ROOT).map_or_else(
        |_| fr.path.display().to_string(),
        |p| p.display().to_string(),
    );
    match ws.key_of(&fr.path).and_then(|k| ws.get(k)) {
        Some(f) => {
            let (l, c) = f.source().unwrap().lines().position(
                f.kept_text().unwrap(),
                fr.range.start(),
                Encoding::Utf32,
            );
            format!(
                "{name}:{}:{} {:?}",
                l + 1,
                c + 1,
                &f.kept_text().unwrap()[fr.range.start()..fr.range.end()]
            )
        }
        None => format!("{name} (file)"),
    }
}

/// Hovers carry file URLs for the link; keep snapshots readable.
fn strip_urls(s: &str) -> String {
    s.replace("file:///repo/", "file:///")
}

fn check_hover(fixture: &str, expect: Expect) {
    let (ws, key, offset) = load_with_cursor(fixture);
    let h = super::hover::hover(&ws, key, offset).expect("a hover");
    let f = ws.get(key).unwrap();
    let shown = format!(
        "[{}]\n{}",
        &f.kept_text().unwrap()[h.range.start()..h.range.end()],
        strip_urls(&h.markdown)
    );
    expect.assert_eq(&shown);
}

const INVESTIGATION: &str = r#"
//- .chant/specs/2026-03-01-001-cmp.md
---
type: research
status: completed
labels: [issue-42, comprehension]
target_files: [.chant/research/issue-42-comprehension.md]
---
# Comprehension: issue #42
## Acceptance Criteria
- [x] one
- [ ] two
//- .chant/specs/2026-03-01-002-rca.md
---
type: research
labels: [issue-42, root-cause]
depends_on: [2026-03-01-001-cmp]
informed_by: [.chant/research/issue-42-comprehension.md, .chant/specs/2026-03-01-001-cmp.md]
---
# Root cause: issue #42
//- .chant/specs/2026-03-01-003-fix.md
---
labels: [issue-42, fix]
depends_on: [2026-03-01-002-rca, 2026-02-01-001-old]
---
# Fix issue #42: lock writes
Builds on 2026-03-01-001-cmp.
//- .chant/archive/2026-02-01/2026-02-01-001-old.md
---
status: completed
---
# Old work, mentions 2026-03-01-001-cmp
//- .chant/research/issue-42-comprehension.md
notes
"#;

fn with_cursor(fixture: &str, file: &str, needle: &str) -> String {
    // Put `$0` at `needle` inside `file`'s section of the fixture.
    let start = fixture
        .find(&format!("//- {file}\n"))
        .expect("file in fixture");
    let at = start + fixture[start..].find(needle).expect("needle in file");
    format!("{}$0{}", &fixture[..at], &fixture[at..])
}

#[test]
fn hover_on_a_dependency_shows_the_spec() {
    check_hover(
        &with_cursor(
            INVESTIGATION,
            ".chant/specs/2026-03-01-003-fix.md",
            "2026-03-01-002-rca,",
        ),
        expect![[r#"
            [2026-03-01-002-rca]
            **Root cause: issue #42**

            `2026-03-01-002-rca` · pending · research · phase: Root cause

            Ready to work.

            [.chant/specs/2026-03-01-002-rca.md](file:///.chant/specs/2026-03-01-002-rca.md)"#]],
    );
}

#[test]
fn hover_on_the_title_shows_dependents_and_the_investigation() {
    check_hover(
        &with_cursor(
            INVESTIGATION,
            ".chant/specs/2026-03-01-001-cmp.md",
            "Comprehension:",
        ),
        expect![[r#"
            [# Comprehension: issue #42]
            **Comprehension: issue #42**

            `2026-03-01-001-cmp` · completed · research · phase: Comprehension · criteria 1/2

            Done (completed).

            [.chant/specs/2026-03-01-001-cmp.md](file:///.chant/specs/2026-03-01-001-cmp.md)

            **Depended on by** (1)
            - [`2026-03-01-002-rca`](file:///.chant/specs/2026-03-01-002-rca.md) Root cause: issue #42 (pending)

            **Issue #42** (2 other spec(s), in phase order)
            - Root cause: [`2026-03-01-002-rca`](file:///.chant/specs/2026-03-01-002-rca.md) Root cause: issue #42 (pending)
            - Fix: [`2026-03-01-003-fix`](file:///.chant/specs/2026-03-01-003-fix.md) Fix issue #42: lock writes (pending)"#]],
    );
}

#[test]
fn hover_on_keys_values_and_paths() {
    check_hover(
        &with_cursor(
            INVESTIGATION,
            ".chant/specs/2026-03-01-001-cmp.md",
            "status",
        ),
        expect![[r#"
        [status]
        **status** (one of a fixed set)

        Where the spec is in its lifecycle; `pending` by default.

        Allowed: `pending`, `in_progress`, `paused`, `completed`, `failed`, `needs_attention`, `ready`, `blocked`, `cancelled`"#]],
    );
    check_hover(
        &with_cursor(
            INVESTIGATION,
            ".chant/specs/2026-03-01-001-cmp.md",
            "completed",
        ),
        expect![[r#"
        [completed]
        `status: completed`

        **status** (one of a fixed set)

        Where the spec is in its lifecycle; `pending` by default.

        Allowed: `pending`, `in_progress`, `paused`, `completed`, `failed`, `needs_attention`, `ready`, `blocked`, `cancelled`"#]],
    );
    check_hover(
        &with_cursor(
            INVESTIGATION,
            ".chant/specs/2026-03-01-001-cmp.md",
            ".chant/research/issue-42-comprehension.md",
        ),
        expect![[r#"
            [.chant/research/issue-42-comprehension.md]
            `.chant/research/issue-42-comprehension.md` exists.

            Also named by:
            - [`2026-03-01-002-rca`](file:///.chant/specs/2026-03-01-002-rca.md) Root cause: issue #42 (pending)"#]],
    );
    check_hover(
        &with_cursor(
            INVESTIGATION,
            ".chant/specs/2026-03-01-003-fix.md",
            "2026-02-01-001-old",
        ),
        expect![[r#"
        [2026-02-01-001-old]
        **Old work, mentions 2026-03-01-001-cmp**

        `2026-02-01-001-old` · completed · code · archived

        Done (completed).

        [.chant/archive/2026-02-01/2026-02-01-001-old.md](file:///.chant/archive/2026-02-01/2026-02-01-001-old.md)"#]],
    );
}

#[test]
fn definition_from_references_and_paths() {
    let mut out = String::new();
    for (file, needle) in [
        (".chant/specs/2026-03-01-003-fix.md", "2026-03-01-002-rca,"),
        (".chant/specs/2026-03-01-003-fix.md", "2026-03-01-001-cmp."),
        (
            ".chant/specs/2026-03-01-002-rca.md",
            ".chant/research/issue-42",
        ),
        (
            ".chant/specs/2026-03-01-002-rca.md",
            ".chant/specs/2026-03-01-001-cmp.md",
        ),
        (".chant/specs/2026-03-01-003-fix.md", "2026-02-01-001-old"),
    ] {
        let (ws, key, offset) = load_with_cursor(&with_cursor(INVESTIGATION, file, needle));
        let d = super::navigation::definition(&ws, key, offset);
        out.push_str(&format!(
            "{needle} -> {}\n",
            d.map_or("none".into(), |d| pos(&ws, &d))
        ));
    }
    expect![[r##"
        2026-03-01-002-rca, -> .chant/specs/2026-03-01-002-rca.md:7:1 "# Root cause: issue #42"
        2026-03-01-001-cmp. -> .chant/specs/2026-03-01-001-cmp.md:7:1 "# Comprehension: issue #42"
        .chant/research/issue-42 -> .chant/research/issue-42-comprehension.md (file)
        .chant/specs/2026-03-01-001-cmp.md -> .chant/specs/2026-03-01-001-cmp.md:7:1 "# Comprehension: issue #42"
        2026-02-01-001-old -> .chant/archive/2026-02-01/2026-02-01-001-old.md:4:1 "# Old work, mentions 2026-03-01-001-cmp"
    "##]].assert_eq(&out);
}

#[test]
fn references_across_the_workspace_and_archive() {
    let ws = load(INVESTIGATION);
    let refs = super::navigation::references(&ws, "2026-03-01-001-cmp", true);
    let shown: Vec<String> = refs.iter().map(|r| pos(&ws, r)).collect();
    expect![[r##"
        .chant/specs/2026-03-01-001-cmp.md:7:1 "# Comprehension: issue #42"
        .chant/specs/2026-03-01-002-rca.md:4:14 "2026-03-01-001-cmp"
        .chant/specs/2026-03-01-002-rca.md:5:58 ".chant/specs/2026-03-01-001-cmp.md"
        .chant/specs/2026-03-01-003-fix.md:6:11 "2026-03-01-001-cmp"
        .chant/archive/2026-02-01/2026-02-01-001-old.md:4:22 "2026-03-01-001-cmp""##]]
    .assert_eq(&shown.join("\n"));
}

fn check_completion(fixture: &str, expect: Expect) {
    let (ws, key, offset) = load_with_cursor(fixture);
    let c = super::completion::complete(&ws, key, offset);
    let f = ws.get(key).unwrap();
    let mut out = format!(
        "replace {:?} incomplete={}\n",
        &f.kept_text().unwrap()[c
            .items
            .first()
            .map_or(TextRange::empty(offset), |i| i.replace)
            .start()
            ..c.items.first().map_or(offset, |i| i.replace.end())],
        c.incomplete
    );
    for i in &c.items {
        out.push_str(&format!(
            "{:?} {} => {:?}{}\n",
            i.kind,
            i.label,
            i.insert,
            i.detail
                .as_ref()
                .map_or(String::new(), |d| format!("  ({d})"))
        ));
    }
    expect.assert_eq(&out);
}

#[test]
fn completion_of_keys_skips_present_ones() {
    check_completion(
        "//- .chant/specs/a.md\n---\ntype: code\nlabels: [x]\nde$0\n---\n# A\n",
        expect![[r#"
            replace "de" incomplete=false
            Field depends_on => "depends_on: "  (ID or list of IDs)
            Field model => "model: "  (text)
            Field derived_fields => "derived_fields:\n- "  (list)
        "#]],
    );
}

#[test]
fn completion_of_enum_values() {
    check_completion(
        "//- .chant/specs/a.md\n---\nstatus: in$0\n---\n# A\n",
        expect![[r#"
        replace "in" incomplete=false
        Value pending => "pending"
        Value in_progress => "in_progress"
        Value paused => "paused"
        Value completed => "completed"
        Value failed => "failed"
        Value needs_attention => "needs_attention"
        Value ready => "ready"
        Value blocked => "blocked"
        Value cancelled => "cancelled"
    "#]],
    );
}

#[test]
fn completion_of_spec_ids_never_self_nor_a_cycle() {
    check_completion(
        r#"
//- .chant/specs/2026-03-01-001-aaa.md
---
depends_on:
- 2026-03-01-002-bbb
- $0
---
# A
//- .chant/specs/2026-03-01-002-bbb.md
---
---
# B (already listed)
//- .chant/specs/2026-03-01-003-ccc.md
---
depends_on: [2026-03-01-001-aaa]
---
# C depends on A: would close a cycle
//- .chant/specs/2026-03-01-004-ddd.md
---
depends_on: [2026-03-01-003-ccc]
---
# D depends on C: also a cycle
//- .chant/specs/2026-03-01-005-eee.md
---
status: completed
---
# E is fine
//- .chant/archive/2026-01-01/2026-01-01-001-old.md
---
---
# Old is fine, archived
"#,
        expect![[r#"
            replace "" incomplete=false
            Spec 2026-03-01-005-eee => "2026-03-01-005-eee"  (E is fine (completed))
            Spec 2026-01-01-001-old => "2026-01-01-001-old"  (Old is fine, archived (pending))
        "#]],
    );
}

#[test]
fn completion_of_labels_and_paths() {
    let fixture = r#"
//- .chant/specs/a.md
---
labels: [issue-7, $0]
---
# A
//- .chant/specs/b.md
---
labels: [issue-7, root-cause]
informed_by:
- .chant/re$0
---
# B
//- .chant/research/issue-7-root-cause.md
x
//- .chant/research/notes/deep.md
x
"#;
    let first = fixture.replacen("$0", "", 2);
    let labels = first.replacen("labels: [issue-7, ]", "labels: [issue-7, $0]", 1);
    check_completion(
        &labels,
        expect![[r#"
        replace "" incomplete=false
        Label issue-7 => "issue-7"  (2 spec(s))
        Label root-cause => "root-cause"  (1 spec(s))
    "#]],
    );
    let paths = first.replacen("- .chant/re\n", "- .chant/re$0\n", 1);
    check_completion(
        &paths,
        expect![[r#"
        replace ".chant/re" incomplete=false
        Folder research/ => ".chant/research/"
    "#]],
    );
    let deeper = first.replacen("- .chant/re\n", "- .chant/research/$0\n", 1);
    check_completion(
        &deeper,
        expect![[r#"
        replace ".chant/research/" incomplete=false
        Folder notes/ => ".chant/research/notes/"
        File issue-7-root-cause.md => ".chant/research/issue-7-root-cause.md"
    "#]],
    );
}

#[test]
fn document_symbols_nest_headings_under_the_frontmatter() {
    let ws = load("//- .chant/specs/a.md\n---\ntype: code\nlabels: [a, b]\n---\n# Title\n## Acceptance Criteria\n- [ ] x\n### Detail\n## Notes\n");
    let key = ws.specs().next().unwrap().0;
    fn render(s: &super::outline::Symbol, depth: usize, out: &mut String) {
        out.push_str(&format!(
            "{}{:?} {}{}\n",
            "  ".repeat(depth),
            s.kind,
            s.name,
            s.detail
                .as_ref()
                .map_or(String::new(), |d| format!(" ({d})"))
        ));
        for c in &s.children {
            render(c, depth + 1, out);
        }
    }
    let mut out = String::new();
    for s in super::outline::document_symbols(&ws, key) {
        render(&s, 0, &mut out);
    }
    expect![[r#"
        Frontmatter frontmatter (a)
          Field type (code)
          Field labels (2 item(s))
        Heading Title
          Heading Acceptance Criteria
            Heading Detail
          Heading Notes
    "#]]
    .assert_eq(&out);
}

#[test]
fn workspace_symbols_match_id_and_title_words() {
    let ws = load(INVESTIGATION);
    let shown: Vec<String> = super::outline::workspace_symbols(&ws, "issue 42", 10)
        .into_iter()
        .map(|s| format!("{} [{}]", s.name, s.status))
        .collect();
    expect![[r#"
        2026-03-01-003-fix Fix issue #42: lock writes [pending]
        2026-03-01-002-rca Root cause: issue #42 [pending]
        2026-03-01-001-cmp Comprehension: issue #42 [completed]"#]]
    .assert_eq(&shown.join("\n"));
}

#[test]
fn inlay_hints_and_code_lenses() {
    let ws = load(INVESTIGATION);
    let (key, f) = ws.by_id("2026-03-01-003-fix").next().unwrap();
    let lines = LineIndex::new(f.kept_text().unwrap());
    let mut out = String::new();
    for h in super::hints::inlay_hints(&ws, key, TextRange::new(0, f.kept_text().unwrap().len())) {
        let (l, c) = lines.position(f.kept_text().unwrap(), h.offset, Encoding::Utf32);
        out.push_str(&format!("hint {}:{} {}\n", l + 1, c + 1, h.label));
    }
    let (cmp, _) = ws.by_id("2026-03-01-001-cmp").next().unwrap();
    for k in [key, cmp] {
        for l in super::hints::code_lenses(&ws, k) {
            out.push_str(&format!("lens {}: {}\n", ws.get(k).unwrap().id, l.title));
            for fr in l.locations.iter().flatten() {
                out.push_str(&format!("  -> {}\n", pos(&ws, fr)));
            }
        }
    }
    expect![[r##"
        hint 3:32 Root cause: issue #42 (pending)
        hint 3:52 Old work, mentions 2026-03-01-001-cmp (completed, archived)
        lens 2026-03-01-003-fix: 0 dependents
        lens 2026-03-01-003-fix: 2 blockers: 2026-03-01-002-rca, 2026-02-01-001-old
          -> .chant/specs/2026-03-01-002-rca.md:7:1 "# Root cause: issue #42"
          -> .chant/archive/2026-02-01/2026-02-01-001-old.md:4:1 "# Old work, mentions 2026-03-01-001-cmp"
        lens 2026-03-01-003-fix: Issue #42: 1 of 6 phases done
          -> .chant/specs/2026-03-01-001-cmp.md:7:1 "# Comprehension: issue #42"
          -> .chant/specs/2026-03-01-002-rca.md:7:1 "# Root cause: issue #42"
          -> .chant/specs/2026-03-01-003-fix.md:5:1 "# Fix issue #42: lock writes"
        lens 2026-03-01-001-cmp: 1 dependent
          -> .chant/specs/2026-03-01-002-rca.md:4:14 "2026-03-01-001-cmp"
        lens 2026-03-01-001-cmp: completed
        lens 2026-03-01-001-cmp: criteria 1/2
        lens 2026-03-01-001-cmp: Issue #42: 1 of 6 phases done
          -> .chant/specs/2026-03-01-001-cmp.md:7:1 "# Comprehension: issue #42"
          -> .chant/specs/2026-03-01-002-rca.md:7:1 "# Root cause: issue #42"
          -> .chant/specs/2026-03-01-003-fix.md:5:1 "# Fix issue #42: lock writes"
    "##]]
    .assert_eq(&out);
}

#[test]
fn folding_and_links() {
    let ws = load("//- .chant/specs/a.md\n---\ninformed_by: [https://x.test/issues/1, .chant/research/r.md, missing.md]\nprompt: standard\n---\n# Title\n## Section\ntext\n```\ncode\n```\n//- .chant/research/r.md\nx\n//- .chant/prompts/standard.md\nx\n");
    let (key, f) = ws.specs().find(|(_, f)| f.id == "a").unwrap();
    let lines = LineIndex::new(f.kept_text().unwrap());
    let line = |o: usize| lines.position(f.kept_text().unwrap(), o, Encoding::Utf32).0 + 1;
    let mut out = String::new();
    for (r, kind) in super::outline::folding_ranges(&ws, key) {
        out.push_str(&format!(
            "fold {:?} {}-{}\n",
            kind,
            line(r.start()),
            line(r.end())
        ));
    }
    for (r, target) in super::outline::document_links(&ws, key) {
        out.push_str(&format!(
            "link {:?} -> {:?}\n",
            &f.kept_text().unwrap()[r.start()..r.end()],
            target
        ));
    }
    expect![[r#"
        fold Frontmatter 1-4
        fold Section 5-10
        fold Section 6-10
        fold Code 8-10
        link "https://x.test/issues/1" -> Url("https://x.test/issues/1")
        link ".chant/research/r.md" -> File("/repo/.chant/research/r.md")
        link "standard" -> File("/repo/.chant/prompts/standard.md")
    "#]]
    .assert_eq(&out);
}

fn render_plan(ws: &Workspace, plan: &super::rename::RenamePlan) -> String {
    let mut out = String::new();
    for (path, edits) in &plan.edits {
        let f = ws.get(ws.key_of(path).unwrap()).unwrap();
        let new = crate::syntax::edit::apply(f.kept_text().unwrap(), edits);
        let changed: Vec<&str> = new
            .lines()
            .filter(|l| !f.kept_text().unwrap().lines().any(|o| o == *l))
            .collect();
        out.push_str(&format!("edit {}: {}\n", f.rel, changed.join(" / ")));
    }
    for (from, to) in &plan.renames {
        out.push_str(&format!("move {} -> {}\n", ws.rel(from), ws.rel(to)));
    }
    out
}

#[test]
fn rename_moves_the_spec_and_its_members_and_rewrites_references() {
    let ws = load(
        r#"
//- .chant/specs/2026-03-01-001-drv.md
---
type: group
members: [2026-03-01-001-drv.1]
---
# Driver
//- .chant/specs/2026-03-01-001-drv.1.md
---
depends_on: [2026-03-01-001-drv]
---
# Member
//- .chant/specs/2026-03-01-002-use.md
---
depends_on: ["2026-03-01-001-drv"]
informed_by: [.chant/specs/2026-03-01-001-drv.md]
---
# User of 2026-03-01-001-drv and 2026-03-01-001-drv.1
"#,
    );
    let plan = super::rename::rename(&ws, "2026-03-01-001-drv", "2026-03-01-001-new").unwrap();
    expect![[r#"
        edit .chant/specs/2026-03-01-001-drv.1.md: depends_on: [2026-03-01-001-new]
        edit .chant/specs/2026-03-01-001-drv.md: members: [2026-03-01-001-new.1]
        edit .chant/specs/2026-03-01-002-use.md: depends_on: ["2026-03-01-001-new"] / informed_by: [.chant/specs/2026-03-01-001-new.md] / # User of 2026-03-01-001-new and 2026-03-01-001-new.1
        move .chant/specs/2026-03-01-001-drv.md -> .chant/specs/2026-03-01-001-new.md
        move .chant/specs/2026-03-01-001-drv.1.md -> .chant/specs/2026-03-01-001-new.1.md
    "#]].assert_eq(&render_plan(&ws, &plan));
    assert!(
        super::rename::rename(&ws, "2026-03-01-001-drv", "2026-03-01-002-use")
            .unwrap_err()
            .contains("already exists")
    );
    assert!(super::rename::rename(&ws, "2026-03-01-001-drv", "has space").is_err());
}

#[test]
fn a_file_renamed_by_the_editor_takes_its_references_along() {
    let ws = load(INVESTIGATION);
    let from = ws
        .by_id("2026-03-01-001-cmp")
        .next()
        .unwrap()
        .1
        .path
        .clone();
    // Moved to the archive: same ID, new path.
    let to = crate::fixture::root().join(".chant/archive/2026-03-01/2026-03-01-001-cmp.md");
    let mut out = render_plan(&ws, &super::rename::will_rename_file(&ws, &from, &to));
    // Renamed: new ID.
    let to = from.with_file_name("2026-03-01-001-new.md");
    out.push_str(&render_plan(
        &ws,
        &super::rename::will_rename_file(&ws, &from, &to),
    ));
    expect![[r#"
        edit .chant/specs/2026-03-01-002-rca.md: informed_by: [.chant/research/issue-42-comprehension.md, .chant/archive/2026-03-01/2026-03-01-001-cmp.md]
        edit .chant/archive/2026-02-01/2026-02-01-001-old.md: # Old work, mentions 2026-03-01-001-new
        edit .chant/specs/2026-03-01-002-rca.md: depends_on: [2026-03-01-001-new] / informed_by: [.chant/research/issue-42-comprehension.md, .chant/specs/2026-03-01-001-new.md]
        edit .chant/specs/2026-03-01-003-fix.md: Builds on 2026-03-01-001-new.
    "#]].assert_eq(&out);
}

/// The kvstore demo with a short ID in `depends_on` (`005-k9w`), a member and an
/// unresolved dependency.
const SHORT_IDS: &str = r#"
//- .chant/specs/2026-02-08-005-k9w.md
---
type: research
status: completed
labels: [issue-1234, root-cause]
---
# Root cause: issue #1234
//- .chant/specs/2026-02-08-008-j3n.md
---
type: research
labels: [issue-1234, impact-map]
depends_on:
- 005-k9w
- 2026-01-01-404-nop
---
# Impact map: issue #1234
See 2026-02-08-005-k9w and 2026-01-01-404-zzz.
## Acceptance Criteria
- [x] one ✓
- [ ] two
//- .chant/specs/2026-02-08-009-m2p.md
---
status: in_progress
depends_on: ["2026-02-08-008-j3n"]
labels: [issue-1234, fix]
---
# Fix issue #1234
//- .chant/specs/2026-02-08-008-j3n.1.md
---
depends_on: []
---
# Member one
"#;

#[test]
fn a_short_id_hovers_and_goes_to_the_spec_it_means() {
    let fixture = with_cursor(SHORT_IDS, ".chant/specs/2026-02-08-008-j3n.md", "005-k9w");
    check_hover(
        &fixture,
        expect![[r#"
            [005-k9w]
            `005-k9w` is not an exact spec ID (chant reports it unknown); it means `2026-02-08-005-k9w`.

            **Root cause: issue #1234**

            `2026-02-08-005-k9w` · completed · research · phase: Root cause

            Done (completed).

            [.chant/specs/2026-02-08-005-k9w.md](file:///.chant/specs/2026-02-08-005-k9w.md)"#]],
    );
    let (ws, key, offset) = load_with_cursor(&fixture);
    let d = super::navigation::definition(&ws, key, offset).expect("a definition");
    expect![[r##".chant/specs/2026-02-08-005-k9w.md:6:1 "# Root cause: issue #1234""##]]
        .assert_eq(&pos(&ws, &d));
    // An ID nothing can mean stays unknown.
    let fixture = with_cursor(
        SHORT_IDS,
        ".chant/specs/2026-02-08-008-j3n.md",
        "2026-01-01-404-nop",
    );
    let (ws, key, offset) = load_with_cursor(&fixture);
    assert!(super::navigation::definition(&ws, key, offset).is_none());
}

#[test]
fn title_hover_links_dependencies_dependents_and_members() {
    check_hover(
        &with_cursor(
            SHORT_IDS,
            ".chant/specs/2026-02-08-008-j3n.md",
            "Impact map:",
        ),
        expect![[r#"
            [# Impact map: issue #1234]
            **Impact map: issue #1234**

            `2026-02-08-008-j3n` · pending · research · phase: Impact map · criteria 1/2

            Blocked by `005-k9w` (no such spec), `2026-01-01-404-nop` (no such spec), [`2026-02-08-008-j3n.1`](file:///.chant/specs/2026-02-08-008-j3n.1.md) (member, pending).

            [.chant/specs/2026-02-08-008-j3n.md](file:///.chant/specs/2026-02-08-008-j3n.md)

            **Depends on** (2)
            - `005-k9w` means [`2026-02-08-005-k9w`](file:///.chant/specs/2026-02-08-005-k9w.md) Root cause: issue #1234 (completed)
            - `2026-01-01-404-nop` (no such spec)

            **Depended on by** (1)
            - [`2026-02-08-009-m2p`](file:///.chant/specs/2026-02-08-009-m2p.md) Fix issue #1234 (in_progress)

            **Members** (1)
            - [`2026-02-08-008-j3n.1`](file:///.chant/specs/2026-02-08-008-j3n.1.md) Member one (pending)

            **Issue #1234** (2 other spec(s), in phase order)
            - Root cause: [`2026-02-08-005-k9w`](file:///.chant/specs/2026-02-08-005-k9w.md) Root cause: issue #1234 (completed)
            - Fix: [`2026-02-08-009-m2p`](file:///.chant/specs/2026-02-08-009-m2p.md) Fix issue #1234 (in_progress)"#]],
    );
}

fn show_calls(ws: &Workspace, calls: &[super::hierarchy::Call]) -> String {
    let mut out = String::new();
    for c in calls {
        out.push_str(&format!("{} ({})\n", c.item.name, c.item.detail));
        for r in &c.from_ranges {
            let caller = FileRange {
                path: c.item.path.clone(),
                range: *r,
            };
            out.push_str(&format!("  from {}\n", pos(ws, &caller)));
        }
    }
    out
}

#[test]
fn call_hierarchy_walks_depends_on_both_ways() {
    // Prepared on the title of the impact map.
    let (ws, key, offset) = load_with_cursor(&with_cursor(
        SHORT_IDS,
        ".chant/specs/2026-02-08-008-j3n.md",
        "Impact map:",
    ));
    let item = super::hierarchy::prepare(&ws, key, offset).expect("an item");
    assert_eq!(item.id, "2026-02-08-008-j3n");
    let mut out = format!("prepare: {} ({})\nincoming:\n", item.name, item.detail);
    // Incoming: the dependents; fromRanges are in the dependent's file.
    out.push_str(&show_calls(&ws, &super::hierarchy::incoming(&ws, item.key)));
    // Outgoing: the dependencies (the short ID counts as the spec it means); fromRanges
    // are in this spec. fromRanges of outgoing calls are the caller's, so show them there.
    out.push_str("outgoing:\n");
    for c in super::hierarchy::outgoing(&ws, item.key) {
        out.push_str(&format!("{} ({})\n", c.item.name, c.item.detail));
        for r in &c.from_ranges {
            let fr = FileRange {
                path: item.path.clone(),
                range: *r,
            };
            out.push_str(&format!("  from {}\n", pos(&ws, &fr)));
        }
    }
    // Prepared on a dependency ID: the item is that spec.
    let (ws, key, offset) = load_with_cursor(&with_cursor(
        SHORT_IDS,
        ".chant/specs/2026-02-08-009-m2p.md",
        "2026-02-08-008-j3n",
    ));
    let on_id = super::hierarchy::prepare(&ws, key, offset).expect("an item");
    out.push_str(&format!("prepare on an ID: {}\n", on_id.id));
    expect![[r#"
        prepare: Impact map: issue #1234 (2026-02-08-008-j3n · pending)
        incoming:
        Fix issue #1234 (2026-02-08-009-m2p · in_progress)
          from .chant/specs/2026-02-08-009-m2p.md:3:15 "2026-02-08-008-j3n"
        outgoing:
        Root cause: issue #1234 (2026-02-08-005-k9w · completed)
          from .chant/specs/2026-02-08-008-j3n.md:5:3 "005-k9w"
        prepare on an ID: 2026-02-08-008-j3n
    "#]]
    .assert_eq(&out);
}

#[test]
fn semantic_tokens_of_a_fixture() {
    let ws = load(SHORT_IDS);
    let (key, f) = ws.by_id("2026-02-08-008-j3n").next().unwrap();
    let mut out = String::new();
    for t in super::tokens::tokens(&ws, key) {
        let (l, c) = f.source().unwrap().lines().position(
            f.kept_text().unwrap(),
            t.range.start(),
            Encoding::Utf32,
        );
        let mods: Vec<&str> = super::tokens::MODIFIERS
            .iter()
            .enumerate()
            .filter(|(i, _)| t.modifiers & (1 << i) != 0)
            .map(|(_, m)| *m)
            .collect();
        out.push_str(&format!(
            "{}:{} {} {:?} {:?}\n",
            l + 1,
            c + 1,
            t.kind.name(),
            &f.kept_text().unwrap()[t.range.start()..t.range.end()],
            mods
        ));
    }
    expect![[r#"
        2:7 enumMember "research" []
        5:3 variable "005-k9w" ["unresolved", "deprecated"]
        6:3 variable "2026-01-01-404-nop" ["unresolved", "deprecated"]
        9:5 variable "2026-02-08-005-k9w" ["resolved"]
        9:28 variable "2026-01-01-404-zzz" ["unresolved", "deprecated"]
        11:3 keyword "[x]" ["checked"]
        12:3 keyword "[ ]" []
    "#]]
    .assert_eq(&out);
}

fn demo() -> Workspace {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/kvstore");
    Workspace::load(root, std::sync::Arc::new(crate::model::vfs::RealFs))
}

#[test]
fn mermaid_graph_of_the_demo() {
    let g = super::graph::render(&demo(), Some(1234), super::graph::Format::Mermaid);
    expect![[r#"
        flowchart TD
          s0["001-a1b: Comprehension: issue #35;1234 concurrent writes lose data<br/>completed"]
          s1["002-c3d: Reproduce issue #35;1234 with a failing test<br/>completed"]
          s2["005-k9w: Root cause: issue #35;1234<br/>completed"]
          s3["008-j3n: Impact map: issue #35;1234<br/>completed"]
          s4["009-m2p: Fix issue #35;1234: lock the segment during put<br/>complete"]
          s5["00a-u7r: Upstream PR: issue #35;1234<br/>pending"]
          s2 -.->|not an exact ID| s3
          s3 --> s4
          s0 ~~~ s1
          s1 ~~~ s2
          s4 ~~~ s5
          classDef completed fill:#d3f9d8
          class s0,s1,s2,s3 completed
    "#]]
    .assert_eq(&g);
}

#[test]
fn dot_graph_of_the_demo() {
    let g = super::graph::render(&demo(), None, super::graph::Format::Dot);
    expect![[r##"
        digraph chant {
          rankdir=TB;
          node [shape=box, style="rounded,filled", fillcolor="#ffffff"];
          subgraph cluster_issue1234 {
            label="Issue #1234";
            s0 [label="001-a1b: Comprehension: issue #1234 concurrent writes lose data\ncompleted", fillcolor="#d3f9d8"];
            s1 [label="002-c3d: Reproduce issue #1234 with a failing test\ncompleted", fillcolor="#d3f9d8"];
            s2 [label="005-k9w: Root cause: issue #1234\ncompleted", fillcolor="#d3f9d8"];
            s3 [label="008-j3n: Impact map: issue #1234\ncompleted", fillcolor="#d3f9d8"];
            s4 [label="009-m2p: Fix issue #1234: lock the segment during put\ncomplete"];
            s5 [label="00a-u7r: Upstream PR: issue #1234\npending"];
          }
          s2 -> s3 [style=dashed, label="not an exact ID"];
          s3 -> s4;
          s0 -> s1 [style=invis];
          s1 -> s2 [style=invis];
          s4 -> s5 [style=invis];
        }
    "##]].assert_eq(&g);
}

#[test]
fn graph_labels_escape_any_title() {
    let ws = load("//- .chant/specs/a.md\n---\nlabels: [issue-3, fix]\n---\n# Fix \"quotes\" <b>&</b> `tick` \\ #3;\n");
    let m = super::graph::render(&ws, None, super::graph::Format::Mermaid);
    let label = m.lines().find(|l| l.contains("s0[")).expect("a node");
    // Inside the quotes: no quote, bracket, backtick or raw `#` Mermaid would read as syntax.
    let inner = &label[label.find("[\"").unwrap() + 2..label.rfind("\"]").unwrap()];
    assert!(
        !inner.replace("<br/>", "").contains(['"', '`', '<', '>']),
        "{inner}"
    );
    assert!(
        inner.split('#').skip(1).all(|rest| rest
            .split_once(';')
            .is_some_and(|(code, _)| code.chars().all(|c| c.is_ascii_alphanumeric()))),
        "{inner}"
    );
    let d = super::graph::render(&ws, None, super::graph::Format::Dot);
    assert!(
        d.contains(r#"label="a: Fix \"quotes\" <b>&</b> `tick` \\ #3;\npending""#),
        "{d}"
    );
}

#[test]
fn investigation_progress() {
    let p = super::graph::progress(&demo(), 1234).expect("progress");
    // The fix's status is mistyped (`complete`), so it is not done.
    assert_eq!((p.done, p.total), (4, 6));
    assert_eq!(p.specs.len(), 6);
    assert!(super::graph::progress(&demo(), 99).is_none());
}

/// Every field the table gives a spec-ID or path role counts: `blocked_specs`,
/// `original_spec`, `conflicting_files`, `output_schema`, not only the common four.
#[test]
fn references_and_rename_follow_the_field_table() {
    let ws = load(
        r#"
//- .chant/specs/2026-03-01-001-aaa.md
---
---
# Target
//- .chant/specs/2026-03-01-002-mrg.md
---
original_spec: 2026-03-01-001-aaa
blocked_specs: [2026-03-01-001-aaa]
conflicting_files: [.chant/specs/2026-03-01-001-aaa.md]
output_schema: .chant/specs/2026-03-01-001-aaa.md
---
# Merge conflict
"#,
    );
    let refs = super::navigation::references(&ws, "2026-03-01-001-aaa", false);
    let shown: Vec<String> = refs.iter().map(|r| pos(&ws, r)).collect();
    expect![[r#"
        .chant/specs/2026-03-01-002-mrg.md:2:16 "2026-03-01-001-aaa"
        .chant/specs/2026-03-01-002-mrg.md:3:17 "2026-03-01-001-aaa"
        .chant/specs/2026-03-01-002-mrg.md:4:21 ".chant/specs/2026-03-01-001-aaa.md"
        .chant/specs/2026-03-01-002-mrg.md:5:16 ".chant/specs/2026-03-01-001-aaa.md""#]]
    .assert_eq(&shown.join("\n"));
    let plan = super::rename::rename(&ws, "2026-03-01-001-aaa", "2026-03-01-001-new").unwrap();
    expect![[r#"
        edit .chant/specs/2026-03-01-002-mrg.md: original_spec: 2026-03-01-001-new / blocked_specs: [2026-03-01-001-new] / conflicting_files: [.chant/specs/2026-03-01-001-new.md] / output_schema: .chant/specs/2026-03-01-001-new.md
        move .chant/specs/2026-03-01-001-aaa.md -> .chant/specs/2026-03-01-001-new.md
    "#]].assert_eq(&render_plan(&ws, &plan));
}

/// Three agents: one at work (its lock names a running PID), one gone without removing its
/// lock, one whose run failed; and a finished run.
const AGENTS: &str = r#"
//- .chant/specs/2026-03-01-001-liv.md
---
status: in_progress
---
# Live agent
//- .chant/.locks/2026-03-01-001-liv.lock
4242
//- .chant/specs/.chant-status-2026-03-01-001-liv.json
{"spec_id": "2026-03-01-001-liv", "status": "working", "updated_at": "2026-03-01T08:32:05.5+00:00"}
//- .chant/specs/2026-03-01-002-ded.md
---
status: in_progress
---
# Dead agent
//- .chant/.locks/2026-03-01-002-ded.lock
999
//- .chant/specs/2026-03-01-003-fai.md
---
status: failed
---
# Failed run
//- .chant/specs/.chant-status-2026-03-01-003-fai.json
{"spec_id": "2026-03-01-003-fai", "status": "failed", "updated_at": "2026-03-01T08:40:00Z", "error": "Agent exited with code 1: cargo test failed in `lock::tests`\nsecond line"}
//- .chant/specs/2026-03-01-004-don.md
---
status: completed
---
# Done run
//- .chant/specs/.chant-status-2026-03-01-004-don.json
{"spec_id": "2026-03-01-004-don", "status": "done", "updated_at": "2026-03-01T09:00:00Z", "commits": ["abc1234", "def5678"]}
"#;

/// The fixture on a machine where only PID 4242 runs, two hours east of UTC.
fn agents_workspace() -> Workspace {
    let mut ws = load(AGENTS);
    ws.processes = std::sync::Arc::new(crate::model::agents::Fake {
        running: vec![4242],
        offset_hours: 2,
    });
    ws
}

#[test]
fn agent_states_in_hover_and_code_lens() {
    let ws = agents_workspace();
    let mut out = String::new();
    for id in [
        "2026-03-01-001-liv",
        "2026-03-01-002-ded",
        "2026-03-01-003-fai",
        "2026-03-01-004-don",
    ] {
        let (key, f) = ws.by_id(id).next().expect("the spec");
        let lenses: Vec<String> = super::hints::code_lenses(&ws, key)
            .into_iter()
            .map(|l| l.title)
            .collect();
        out.push_str(&format!("lenses {id}: {}\n", lenses.join(" | ")));
        let title = f.syntax.body.title.as_ref().expect("a title").range;
        let h = super::hover::hover(&ws, key, title.start()).expect("a hover");
        let card = strip_urls(&h.markdown);
        // The card, down to the line before the dependents.
        let card = card.split("\n\n**Depended on by**").next().unwrap_or("");
        out.push_str(&format!("{card}\n\n"));
    }
    expect![[r#"
        lenses 2026-03-01-001-liv: 0 dependents | in_progress | agent working since 10:32
        **Live agent**

        `2026-03-01-001-liv` · in_progress · code

        Status in_progress.

        **Agent working** since 10:32 (PID 4242 holds its lock): edits here may be overwritten.

        [.chant/specs/2026-03-01-001-liv.md](file:///.chant/specs/2026-03-01-001-liv.md)

        lenses 2026-03-01-002-ded: 0 dependents | in_progress | stale agent lock (PID 999 not running)
        **Dead agent**

        `2026-03-01-002-ded` · in_progress · code

        Status in_progress.

        **Stale agent lock**: `.chant/.locks/2026-03-01-002-ded.lock` names PID 999, which is not running (the agent ended without removing it).

        [.chant/specs/2026-03-01-002-ded.md](file:///.chant/specs/2026-03-01-002-ded.md)

        lenses 2026-03-01-003-fai: 0 dependents | failed | agent failed: Agent exited with code 1: cargo test failed in `lock::tests`
        **Failed run**

        `2026-03-01-003-fai` · failed · code

        Status failed.

        **Agent failed** at 2026-03-01 10:40:

        ```text
        Agent exited with code 1: cargo test failed in `lock::tests`
        second line
        ```

        [.chant/specs/2026-03-01-003-fai.md](file:///.chant/specs/2026-03-01-003-fai.md)

        lenses 2026-03-01-004-don: 0 dependents | completed | agent done
        **Done run**

        `2026-03-01-004-don` · completed · code

        Done (completed).

        **Agent done** at 2026-03-01 11:00 (commits `abc1234`, `def5678`).

        [.chant/specs/2026-03-01-004-don.md](file:///.chant/specs/2026-03-01-004-don.md)

    "#]]
    .assert_eq(&out);
}

#[test]
fn the_lens_follows_the_agent_files() {
    let mut ws = agents_workspace();
    let (key, _) = ws.by_id("2026-03-01-002-ded").next().expect("the spec");
    let lock = std::path::PathBuf::from(ROOT).join(".chant/.locks/2026-03-01-002-ded.lock");
    let agent_lens = |ws: &Workspace| {
        super::hints::code_lenses(ws, key)
            .into_iter()
            .map(|l| l.title)
            .find(|t| t.contains("agent"))
    };
    assert_eq!(
        agent_lens(&ws).as_deref(),
        Some("stale agent lock (PID 999 not running)")
    );
    assert_eq!(
        super::agent::editing_warning(&ws, key),
        None,
        "no live agent"
    );
    // A new agent takes the spec: the model reads the lock again.
    let fs = crate::model::vfs::MemFs::new(crate::fixture::parse_fixture(AGENTS));
    fs.write(&lock, b"4242".to_vec());
    ws.fs = std::sync::Arc::new(fs);
    let version = ws.agents_version();
    let affected = ws.update(&lock, None);
    assert!(affected.specs.contains(&key), "{affected:?}");
    assert_ne!(ws.agents_version(), version);
    assert_eq!(agent_lens(&ws).as_deref(), Some("agent working"));
    assert_eq!(
        super::agent::editing_warning(&ws, key).as_deref(),
        Some("An agent (PID 4242) is working on 2026-03-01-002-ded and may overwrite your edits.")
    );
    // It finishes and removes the lock: nothing is left to show.
    let fs = crate::model::vfs::MemFs::new(crate::fixture::parse_fixture(AGENTS));
    fs.remove(&lock);
    ws.fs = std::sync::Arc::new(fs);
    ws.update(&lock, None);
    assert_eq!(agent_lens(&ws), None);
    assert!(ws.agent("2026-03-01-002-ded").is_none());
}
