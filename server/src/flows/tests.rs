//! The flows against fakes of the person, the editor, the disk, git and GitHub.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::actions::forge::fake::FakeForge;
use crate::actions::forge::{Checks, PrSummary, RepoId, Review};
use crate::actions::git::Remote;
use crate::actions::pr_body::{self, Branch};
use crate::model::vfs::MemFs;
use crate::model::{SpecKey, Workspace};

use super::fakes::*;
use super::{Answer, Ctx, Editor, Level};

const CMP: &str = ".chant/specs/2026-02-08-001-cmp.md";
const REP: &str = ".chant/specs/2026-02-08-002-rep.md";
const FIX: &str = ".chant/specs/2026-02-08-010-fix.md";
const UPR: &str = ".chant/specs/2026-02-08-011-upr.md";

fn files() -> Vec<(&'static str, &'static str)> {
    vec![
        (CMP, "---\ntype: research\nstatus: completed\nlabels: [issue-1234, comprehension]\ntarget_files: [.chant/research/issue-1234-comprehension.md]\n---\n# Comprehension: issue #1234\n"),
        (".chant/research/issue-1234-comprehension.md", "# Issue 1234\n\n## Observable Symptom\n\nTwo concurrent writes to one key: one of them is lost.\n"),
        (REP, "---\ntype: task\nstatus: completed\nlabels: [issue-1234, reproduction]\ntarget_files: [tests/regression/issue_1234_test.rs]\n---\n# Reproduce issue #1234\n"),
        (FIX, "---\ntype: code\nstatus: completed\nlabels: [issue-1234, fix]\nbranch: fix-1234\ntarget_files: [src/storage/store.rs]\n---\n# Fix issue #1234: lock the segment during put\n\n## Acceptance Criteria\n\n- [x] `src/storage/store.rs` holds the segment lock for the whole put\n"),
        (UPR, "---\ntype: task\nstatus: pending\nlabels: [issue-1234, upstream-pr]\ndepends_on: [2026-02-08-010-fix]\n---\n# Upstream PR for issue #1234\n"),
    ]
}

fn root() -> PathBuf {
    PathBuf::from("/repo")
}

fn acme() -> RepoId {
    RepoId {
        owner: "acme".into(),
        name: "kvstore".into(),
    }
}

fn remote(name: &str, owner: &str) -> Remote {
    Remote {
        name: name.into(),
        host: "github.com".into(),
        owner: owner.into(),
        repo: "kvstore".into(),
    }
}

fn pr(number: u64, open: bool, merged: bool) -> PrSummary {
    PrSummary {
        number,
        url: format!("https://github.com/acme/kvstore/pull/{number}"),
        merged,
        open,
        draft: false,
        title: "Fix #1234: lock the segment during put".into(),
        body: "old body\n".into(),
        head_branch: "fix-1234".into(),
        head_owner: "forker".into(),
        head_sha: "abc123".into(),
    }
}

struct World {
    disk: Arc<MemDisk>,
    editor: FakeEditor,
    git: FakeGit,
    forges: FakeForges,
    person: FakePerson,
}

impl World {
    fn new() -> World {
        let disk = Arc::new(MemDisk::new(
            &files()
                .into_iter()
                .map(|(p, t)| (root().join(p), t.to_string()))
                .collect::<Vec<_>>(),
        ));
        let mut git = FakeGit::new(disk.clone());
        git.remotes = vec![remote("upstream", "acme"), remote("origin", "forker")];
        git.current = Some("fix-1234".into());
        git.branches = vec!["main".into(), "fix-1234".into()];
        git.pushed.insert("fix-1234".into(), "origin".into());
        git.branch = Some(Branch {
            files: vec![
                "src/storage/store.rs".into(),
                "tests/regression/issue_1234_test.rs".into(),
            ],
            subjects: vec!["Hold the segment lock during put".into()],
        });
        World {
            editor: FakeEditor::new(disk.clone()),
            git,
            forges: FakeForges {
                forge: Arc::new(FakeForge::new()),
                hosts: Default::default(),
            },
            person: FakePerson::default(),
            disk,
        }
    }

    fn answering(mut self, answers: impl IntoIterator<Item = Answer>) -> World {
        self.person = FakePerson::answering(answers);
        self
    }

    /// The model as the server would have it now: the disk, with open buffers over it.
    fn ws(&self) -> Workspace {
        let mut files: Vec<(PathBuf, String)> = self
            .disk
            .paths()
            .into_iter()
            .filter_map(|p| Some((p.clone(), self.disk.get(&p)?)))
            .collect();
        for (p, t) in files.iter_mut() {
            if let Some(b) = self.editor.buffer(p) {
                *t = b.text;
            }
        }
        Workspace::load(root(), Arc::new(MemFs::new(files)))
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            person: &self.person,
            editor: &self.editor,
            disk: self.disk.as_ref(),
            git: &self.git,
            forges: &self.forges,
            gh_host: None,
            now: chrono::DateTime::parse_from_rfc3339("2026-12-02T10:30:00Z")
                .unwrap()
                .with_timezone(&chrono::Utc),
        }
    }

    fn text(&self, rel: &str) -> Option<String> {
        self.disk.get(&root().join(rel))
    }

    fn archived(&self, rel: &str) -> PathBuf {
        let name = Path::new(rel).file_name().unwrap();
        root().join(".chant/archive/2026-02-08").join(name)
    }
}

fn key(ws: &Workspace, rel: &str) -> SpecKey {
    ws.key_of(&root().join(rel)).expect("spec")
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

fn draft_into(w: &World, rel: &str) {
    let ws = w.ws();
    block_on(super::pr::draft(&w.ctx(), &ws, key(&ws, rel)));
}

// ----- archive -----

#[test]
fn the_gate_without_any_pr_archives_nothing_unless_told_inside_the_confirmation() {
    let w = World::new();
    let ws = w.ws();
    block_on(super::archive::investigation(&w.ctx(), &ws, key(&ws, UPR)));
    let q = w.person.questions();
    assert_eq!(q.len(), 1);
    assert!(q[0].starts_with("Archive the 4 specs of issue #1234 without a merged pull request?\nNo merged pull request: no pull request was found"), "{}", q[0]);
    assert!(
        w.person
            .messages()
            .starts_with("Info: Nothing archived: no pull request was found"),
        "{}",
        w.person.messages()
    );
    assert!(w.text(UPR).is_some() && w.editor.moves.lock().unwrap().is_empty());
    // The forge was asked for the branch's PR, in any state.
    assert!(
        w.forges
            .forge
            .calls()
            .iter()
            .any(|c| c == "find_pr acme/kvstore forker:fix-1234"),
        "{:?}",
        w.forges.forge.calls()
    );
}

#[test]
fn the_gate_before_the_merge_says_which_pr_and_moves_nothing() {
    let w = World::new();
    w.forges.forge.add_pr(acme(), "main", pr(7, true, false));
    let ws = w.ws();
    block_on(super::archive::investigation(&w.ctx(), &ws, key(&ws, UPR)));
    assert_eq!(w.person.messages(), "Info: Nothing archived: pull request #7 (https://github.com/acme/kvstore/pull/7) is open, not merged.");
    assert!(w.text(FIX).is_some());
}

#[test]
fn a_merged_pr_archives_every_spec_and_completes_the_upstream_pr_spec() {
    let w = World::new().answering([Answer::Chose(0)]);
    w.forges.forge.add_pr(acme(), "main", pr(7, false, true));
    // The fix branch was squash-merged: no local ancestry.
    let mut w = w;
    w.git.merged.insert("fix-1234".into(), false);
    draft_into(&w, UPR);
    let ws = w.ws();
    block_on(super::archive::investigation(&w.ctx(), &ws, key(&ws, UPR)));
    let q = &w.person.questions()[0];
    expect_test::expect![[r#"
        Archive the 4 specs of issue #1234?
        Pull request #7 is merged; the upstream-PR spec `2026-02-08-011-upr` is marked completed
        - Comprehension: issue #1234 (2026-02-08-001-cmp)
        - Reproduce issue #1234 (2026-02-08-002-rep)
        - Fix issue #1234: lock the segment during put (2026-02-08-010-fix)
        - Upstream PR for issue #1234 (2026-02-08-011-upr)
        They move to .chant/archive/ and the moves are staged in git"#]]
    .assert_eq(q);
    for rel in [CMP, REP, FIX, UPR] {
        assert_eq!(w.text(rel), None, "{rel} still in specs/");
        assert!(w.disk.get(&w.archived(rel)).is_some(), "{rel} not archived");
    }
    let upr = w.disk.get(&w.archived(UPR)).unwrap();
    assert!(
        upr.contains("status: completed\n") && upr.contains("completed_at: 2026-12-02T10:30:00Z\n"),
        "{upr}"
    );
    // The PR found on GitHub is recorded, so it survives.
    assert_eq!(
        pr_body::find_section(&upr).and_then(|s| s.pr).map(|p| p.0),
        Some(7),
        "{upr}"
    );
    // One editor move with every spec; the index holds the moved files' current content.
    assert_eq!(w.editor.moves.lock().unwrap().len(), 1);
    assert_eq!(w.editor.moves.lock().unwrap()[0].len(), 4);
    let index = w.git.index.lock().unwrap().clone();
    assert_eq!(index.get(&w.archived(UPR)), Some(&upr));
    assert!(!index.contains_key(&root().join(UPR)));
    assert_eq!(w.person.messages().lines().last().unwrap(), "Info: Archived 4 specs of issue #1234 to .chant/archive/ (staged in git): 2026-02-08-001-cmp, 2026-02-08-002-rep, 2026-02-08-010-fix, 2026-02-08-011-upr.");
}

#[test]
fn one_unsaved_spec_stops_the_whole_archive_before_asking() {
    let w = World::new().answering([Answer::Chose(0)]);
    w.forges.forge.add_pr(acme(), "main", pr(7, false, true));
    w.editor.open(&root().join(REP), "typed\n");
    let ws = w.ws();
    block_on(super::archive::investigation(&w.ctx(), &ws, key(&ws, UPR)));
    assert!(w.person.questions().is_empty());
    assert_eq!(w.person.messages(), "Error: Not archived: 1 spec has unsaved changes in the editor (`2026-02-08-002-rep`): save or revert them first.");
    assert!(w.text(CMP).is_some() && w.text(UPR).is_some());
    // Refused by what the editor says: GitHub was not asked about the PR at all.
    assert_eq!(w.forges.forge.calls(), Vec::<String>::new());
}

#[test]
fn a_failed_move_or_stage_puts_everything_back() {
    for fail in ["move", "stage"] {
        let mut w = World::new().answering([Answer::Chose(0)]);
        w.forges.forge.add_pr(acme(), "main", pr(7, false, true));
        w.editor.can_move = false;
        if fail == "move" {
            *w.disk.fail_moves_of.lock().unwrap() = Some("010-fix".into());
        } else {
            w.git.locked = true;
        }
        let before: Vec<(PathBuf, Option<String>)> = w
            .disk
            .paths()
            .into_iter()
            .map(|p| (p.clone(), w.disk.get(&p)))
            .collect();
        let ws = w.ws();
        block_on(super::archive::investigation(&w.ctx(), &ws, key(&ws, UPR)));
        let after: Vec<(PathBuf, Option<String>)> = w
            .disk
            .paths()
            .into_iter()
            .map(|p| (p.clone(), w.disk.get(&p)))
            .collect();
        assert_eq!(before, after, "{fail}: the disk changed");
        let m = w.person.messages();
        assert!(
            m.starts_with("Error: Not archived: ")
                && m.ends_with("every file was moved back, nothing changed."),
            "{fail}: {m}"
        );
    }
}

#[test]
fn archive_anyway_always_asks() {
    let w = World::new();
    let ws = w.ws();
    block_on(super::archive::one(&w.ctx(), &ws, key(&ws, UPR), true));
    assert_eq!(
        w.person.questions()[0].lines().next(),
        Some("Archive `2026-02-08-011-upr` although it is `pending`?")
    );
    assert_eq!(w.person.messages(), "Info: Nothing archived.");
    assert!(w.text(UPR).is_some());
    let w = w.answering([Answer::Chose(0)]);
    let ws = w.ws();
    block_on(super::archive::one(&w.ctx(), &ws, key(&ws, UPR), true));
    assert!(w.text(UPR).is_none() && w.disk.get(&w.archived(UPR)).is_some());
}

#[test]
fn an_expired_confirmation_does_nothing_and_says_so() {
    let w = World::new().answering([Answer::Expired]);
    let ws = w.ws();
    block_on(super::archive::one(&w.ctx(), &ws, key(&ws, CMP), false));
    assert!(w.text(CMP).is_some());
    assert!(
        w.person
            .messages()
            .contains("expired. Run \"Archive spec\" again."),
        "{}",
        w.person.messages()
    );
    // A replaced one ends quietly: the newer run speaks.
    let w = World::new().answering([Answer::Replaced]);
    let ws = w.ws();
    block_on(super::archive::one(&w.ctx(), &ws, key(&ws, CMP), false));
    assert_eq!(w.person.messages(), "");
}

#[test]
fn an_editor_that_cannot_move_files_names_the_stale_buffers() {
    let mut w = World::new().answering([Answer::Chose(0)]);
    w.editor.can_move = false;
    w.editor.open(&root().join(CMP), "");
    let ws = w.ws();
    block_on(super::archive::one(&w.ctx(), &ws, key(&ws, CMP), false));
    let m = w.person.messages();
    assert!(m.ends_with("Open buffers still show the old path (this editor cannot move them): 2026-02-08-001-cmp.md; close them without saving."), "{m}");
}

// ----- the upstream PR -----

#[test]
fn re_drafting_asks_before_replacing_a_hand_edit_and_cancel_keeps_it() {
    let w = World::new();
    draft_into(&w, UPR);
    let drafted = w.text(UPR).unwrap();
    assert!(pr_body::find_section(&drafted).is_some(), "{drafted}");
    // The person edits the title on disk, then drafts again and declines.
    let edited = drafted.replace("Title: Fix #1234", "Title: Hand-edited fix #1234");
    w.disk
        .files
        .lock()
        .unwrap()
        .insert(root().join(UPR), edited.clone());
    draft_into(&w, UPR);
    assert_eq!(w.person.questions().len(), 1);
    assert_eq!(w.text(UPR).unwrap(), edited);
    assert!(w
        .person
        .messages()
        .ends_with("Info: Kept your draft: nothing was replaced."));
    // Choosing to replace does.
    let w2 = World::new().answering([Answer::Chose(0)]);
    w2.disk
        .files
        .lock()
        .unwrap()
        .insert(root().join(UPR), edited);
    draft_into(&w2, UPR);
    assert_eq!(w2.text(UPR).unwrap(), drafted);
}

#[test]
fn submit_confirms_names_what_is_wrong_creates_and_records_on_disk() {
    let w = World::new().answering([Answer::Chose(1)]);
    draft_into(&w, UPR);
    // Open and clean in the editor: the record still goes to disk.
    w.editor.open(&root().join(UPR), "");
    let ws = w.ws();
    block_on(super::pr::submit(&w.ctx(), &ws, key(&ws, UPR)));
    let q = &w.person.questions()[0];
    assert!(q.starts_with("Open a public pull request on acme/kvstore? Anyone can read it once it is open\nforker:fix-1234 -> main\nTitle: "), "{q}");
    assert!(
        w.forges
            .forge
            .calls()
            .iter()
            .any(|c| c.starts_with("create_pr acme/kvstore forker:fix-1234 -> main draft=true")),
        "{:?}",
        w.forges.forge.calls()
    );
    let text = w.text(UPR).unwrap();
    assert_eq!(
        pr_body::find_section(&text).and_then(|s| s.pr).map(|p| p.0),
        Some(1)
    );
    assert!(w.editor.edits.lock().unwrap().is_empty());
    assert!(
        w.person
            .messages()
            .contains("Opened draft pull request #1: https://github.com/acme/kvstore/pull/1."),
        "{}",
        w.person.messages()
    );
    assert_eq!(
        w.person.opened.lock().unwrap().as_slice(),
        ["https://github.com/acme/kvstore/pull/1"]
    );
}

#[test]
fn submit_lists_an_incomplete_fix_in_the_confirmation() {
    let w = World::new();
    let fix = w
        .text(FIX)
        .unwrap()
        .replace("status: completed", "status: in_progress");
    w.disk.files.lock().unwrap().insert(root().join(FIX), fix);
    draft_into(&w, UPR);
    let ws = w.ws();
    block_on(super::pr::submit(&w.ctx(), &ws, key(&ws, UPR)));
    let q = &w.person.questions()[0];
    assert!(
        q.contains(
            "\nStill wrong:\n- the fix spec `2026-02-08-010-fix` is `in_progress`, not completed"
        ),
        "{q}"
    );
    assert!(!w
        .forges
        .forge
        .calls()
        .iter()
        .any(|c| c.starts_with("create_pr")));
    assert_eq!(
        w.person.messages().lines().last(),
        Some("Info: Cancelled: no pull request was created.")
    );
}

#[test]
fn an_unsaved_buffer_gets_the_record_and_is_told_to_save() {
    let w = World::new().answering([Answer::Chose(0)]);
    draft_into(&w, UPR);
    w.editor.open(&root().join(UPR), "typed\n");
    let ws = w.ws();
    block_on(super::pr::submit(&w.ctx(), &ws, key(&ws, UPR)));
    let buf = w.editor.buffer(&root().join(UPR)).unwrap();
    assert!(
        buf.text
            .contains("PR: https://github.com/acme/kvstore/pull/1 (#1)")
            && buf.text.ends_with("typed\n")
    );
    assert!(!w.text(UPR).unwrap().contains("PR: "));
    assert!(
        w.person
            .messages()
            .contains("save the spec to keep the record"),
        "{}",
        w.person.messages()
    );
}

#[test]
fn a_pr_on_github_is_recovered_not_created_again() {
    let w = World::new();
    draft_into(&w, UPR);
    w.forges.forge.add_pr(acme(), "main", pr(7, true, false));
    let ws = w.ws();
    block_on(super::pr::submit(&w.ctx(), &ws, key(&ws, UPR)));
    assert!(w.person.questions().is_empty());
    assert!(!w
        .forges
        .forge
        .calls()
        .iter()
        .any(|c| c.starts_with("create_pr")));
    assert_eq!(
        pr_body::find_section(&w.text(UPR).unwrap())
            .and_then(|s| s.pr)
            .map(|p| p.0),
        Some(7)
    );
    assert!(w.person.messages().ends_with("Pull request #7 is already open: https://github.com/acme/kvstore/pull/7 (nothing created)."), "{}", w.person.messages());
}

#[test]
fn a_pr_url_on_a_host_no_remote_names_is_never_contacted() {
    let w = World::new();
    draft_into(&w, UPR);
    let text = w.text(UPR).unwrap();
    let e = pr_body::record_pr(&text, 9, "https://evil.example/acme/kvstore/pull/9").unwrap();
    w.disk
        .files
        .lock()
        .unwrap()
        .insert(root().join(UPR), crate::syntax::edit::apply(&text, &[e]));
    let ws = w.ws();
    block_on(super::archive::investigation(&w.ctx(), &ws, key(&ws, UPR)));
    block_on(super::pr::refresh(&w.ctx(), &ws, key(&ws, UPR)));
    assert!(
        w.forges.hosts.lock().unwrap().is_empty(),
        "{:?}",
        w.forges.hosts.lock().unwrap()
    );
    let m = w.person.messages();
    assert!(
        m.contains("is on evil.example, which none of this repository's git remotes names"),
        "{m}"
    );
    assert!(w.text(UPR).is_some());
}

#[test]
fn update_sends_the_edited_text_after_saying_what_changes() {
    let w = World::new().answering([Answer::Chose(0)]);
    draft_into(&w, UPR);
    w.forges.forge.add_pr(acme(), "main", pr(7, true, false));
    let ws = w.ws();
    block_on(super::pr::update(&w.ctx(), &ws, key(&ws, UPR)));
    let q = &w.person.questions()[0];
    assert!(q.starts_with("Update public pull request #7 on acme/kvstore?\nTitle: unchanged (\"Fix #1234: lock the segment during put\")\nBody: "), "{q}");
    assert!(
        w.forges
            .forge
            .calls()
            .iter()
            .any(|c| c == "update_pr acme/kvstore #7"),
        "{:?}",
        w.forges.forge.calls()
    );
    assert!(
        w.person
            .messages()
            .ends_with("Updated pull request #7: https://github.com/acme/kvstore/pull/7."),
        "{}",
        w.person.messages()
    );
    // Declining sends nothing.
    let w = World::new();
    draft_into(&w, UPR);
    w.forges.forge.add_pr(acme(), "main", pr(7, true, false));
    let ws = w.ws();
    block_on(super::pr::update(&w.ctx(), &ws, key(&ws, UPR)));
    assert!(!w
        .forges
        .forge
        .calls()
        .iter()
        .any(|c| c.starts_with("update_pr")));
}

#[test]
fn refresh_records_the_status_with_the_time() {
    let w = World::new();
    draft_into(&w, UPR);
    w.forges.forge.add_pr(acme(), "main", pr(7, true, false));
    w.forges
        .forge
        .set_status(7, Review::Approved, Checks::Failing);
    let ws = w.ws();
    block_on(super::pr::refresh(&w.ctx(), &ws, key(&ws, UPR)));
    let s = pr_body::find_section(&w.text(UPR).unwrap()).unwrap();
    assert_eq!(
        s.status.as_deref(),
        Some("open, approved, checks failing (checked 2026-12-02 10:30 UTC)")
    );
    assert_eq!(s.pr.map(|p| p.0), Some(7));
    assert_eq!(
        w.person.messages().lines().last(),
        Some(
            "Info: Pull request #7: open, approved, checks failing (checked 2026-12-02 10:30 UTC)."
        )
    );
    assert!(!w
        .person
        .told
        .lock()
        .unwrap()
        .iter()
        .any(|(l, _)| *l == Level::Error));
}

#[test]
fn completing_the_upstream_pr_spec_writes_status_time_and_record() {
    let text = files()
        .into_iter()
        .find(|(p, _)| *p == UPR)
        .unwrap()
        .1
        .to_string();
    let new = super::archive::completed(&text, "2026-12-02T10:30:00Z", None).unwrap();
    assert_eq!(
        new,
        "---\ntype: task\nstatus: completed\nlabels: [issue-1234, upstream-pr]\ndepends_on: [2026-02-08-010-fix]\ncompleted_at: 2026-12-02T10:30:00Z\n---\n# Upstream PR for issue #1234\n"
    );
    assert_eq!(super::archive::completed("no frontmatter", "x", None), None);
}

#[test]
fn a_spec_changed_on_disk_after_planning_is_not_overwritten() {
    let w = World::new();
    let plan = super::archive::Plan {
        items: Vec::new(),
        rewrites: vec![(root().join(UPR), "what the model had".into(), "new".into())],
    };
    block_on(super::archive::carry_out(&w.ctx(), &root(), &plan, None));
    assert_eq!(w.text(UPR).unwrap(), files()[4].1);
    assert!(
        w.person
            .messages()
            .contains("changed on disk since the archive was planned"),
        "{}",
        w.person.messages()
    );
}
