//! The upstream-PR phase over stdio: drafting, confirming, submitting to a fake GitHub on
//! 127.0.0.1, in temporary git repositories with `upstream` and `origin` remotes.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::fake_github::{
    check_runs_json, combined_status_json, pr_json, pr_json_full, repo_json, reviews_json,
    FakeGitHub,
};
use crate::support::{git, repo, uri, Client};

const TOKEN: &str = "ghp_TESTTOKEN0123456789";
const FIX: &str = ".chant/specs/2026-02-08-009-fix.md";

fn investigation() -> (tempfile::TempDir, PathBuf) {
    let (d, root) = repo(&[
        (".chant/specs/2026-02-08-001-cmp.md", "---\ntype: research\nstatus: completed\nlabels: [issue-1234, comprehension]\ninformed_by: [https://github.com/acme/kvstore/issues/1234]\ntarget_files: [.chant/research/issue-1234-comprehension.md]\n---\n# Comprehension: issue #1234\n"),
        (".chant/research/issue-1234-comprehension.md", "# Issue 1234\n\n## Observable Symptom\n\nTwo concurrent writes to one key: one of them is lost.\n"),
        (".chant/specs/2026-02-08-002-rep.md", "---\ntype: task\nstatus: completed\nlabels: [issue-1234, reproduction]\ntarget_files: [tests/regression/issue_1234_test.rs]\n---\n# Reproduce issue #1234\n"),
        (".chant/specs/2026-02-08-005-rca.md", "---\ntype: research\nstatus: completed\nlabels: [issue-1234, root-cause]\ntarget_files: [.chant/research/issue-1234-root-cause.md]\n---\n# Root cause: issue #1234\n"),
        (".chant/research/issue-1234-root-cause.md", "# Root cause\n\n## Root Cause\n\n`Store::put` reads, modifies and writes the segment without a lock.\n\n## Recommended Solution\n\nHold the segment lock for the whole update.\n"),
        (".chant/specs/2026-02-08-008-imp.md", "---\ntype: research\nstatus: completed\nlabels: [issue-1234, impact-map]\ntarget_files: [.chant/research/issue-1234-impact-map.md]\n---\n# Impact map: issue #1234\n"),
        (".chant/research/issue-1234-impact-map.md", "# Impact\n\n- src/storage/store.rs - the race itself\n- src/storage/compaction.rs - same read-modify-write pattern\n\n## Test Gaps\n\n- compaction under concurrent writes\n"),
        (FIX, "---\ntype: code\nstatus: completed\nlabels: [issue-1234, fix]\nbranch: fix-1234\ntarget_files: [src/storage/store.rs, src/storage/compaction.rs, tests/regression/issue_1234_test.rs]\n---\n# Fix issue #1234: lock the segment during put\n\nHand-written notes stay.\n\n## Acceptance Criteria\n\n- [x] Compaction uses the same lock\n- [x] Regression test passes\n"),
        ("src/storage/store.rs", "// store\n"),
    ]);
    git(
        &root,
        &[
            "remote",
            "add",
            "upstream",
            "https://github.com/acme/kvstore.git",
        ],
    );
    git(
        &root,
        &[
            "remote",
            "add",
            "origin",
            "https://github.com/forker/kvstore.git",
        ],
    );
    git(&root, &["update-ref", "refs/remotes/upstream/main", "main"]);
    git(&root, &["checkout", "-q", "-b", "fix-1234"]);
    std::fs::write(root.join("src/storage/store.rs"), "// store, locked\n").unwrap();
    git(&root, &["commit", "-q", "-am", "lock the segment"]);
    git(
        &root,
        &["update-ref", "refs/remotes/origin/fix-1234", "HEAD"],
    );
    (d, root)
}

fn start(root: &Path, gh: &FakeGitHub, extra: &[(&str, &str)]) -> Client {
    let mut env = vec![
        ("GITHUB_API_URL", gh.url.as_str()),
        ("GH_TOKEN", TOKEN),
        ("CHANT_LSP_GITHUB_TIMEOUT_SECS", "2"),
    ];
    env.extend_from_slice(extra);
    let (mut c, _) = Client::start_with_env(&[root], Client::default_capabilities(), &env);
    c.settle(std::time::Duration::from_millis(300));
    c
}

fn fix_uri(root: &Path) -> Value {
    json!([uri(&root.join(FIX))])
}

fn drafted(root: &Path, c: &mut Client) -> String {
    c.command("chant-lsp.draftPr", fix_uri(root));
    c.wait_message("Drafted the upstream PR");
    std::fs::read_to_string(root.join(FIX)).unwrap()
}

/// Answers the confirmation dialog with `choice` (None = dismissed), recording the question.
fn answer(
    c: &mut Client,
    choice: Option<&'static str>,
) -> std::sync::Arc<std::sync::Mutex<Vec<Value>>> {
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = asked.clone();
    c.responders.insert(
        "window/showMessageRequest".into(),
        Box::new(move |p: &Value| {
            log.lock().unwrap().push(p.clone());
            choice.map_or(Value::Null, |t| json!({"title": t}))
        }),
    );
    asked
}

fn github_ok(gh: &FakeGitHub) {
    gh.route("GET", "/repos/acme/kvstore", 200, repo_json("main"));
    gh.route("GET", "/repos/acme/kvstore/pulls", 200, json!([]));
    gh.route(
        "POST",
        "/repos/acme/kvstore/pulls",
        201,
        pr_json(7, "forker", "fix-1234", "open", false),
    );
}

fn no_token_leak(c: &Client) {
    for m in &c.seen {
        assert!(
            !m.to_string().contains(TOKEN),
            "the token reached the editor: {m}"
        );
    }
}

#[test]
fn the_draft_comes_from_the_investigation_and_keeps_hand_written_text() {
    let (_d, root) = investigation();
    let gh = FakeGitHub::start();
    let mut c = start(&root, &gh, &[]);
    let text = drafted(&root, &mut c);
    // The branch changes only store.rs, in one commit: compaction.rs is not listed.
    let expected_section = "Title: Fix #1234: lock the segment during put\n\n````markdown\n## Summary\n\nFixes #1234. Two concurrent writes to one key: one of them is lost. `Store::put` reads, modifies and writes the segment without a lock. This change locked the segment during put.\n\n## Changes\n\n- `src/storage/store.rs` -- Lock the segment\n\n## Testing\n\n- `tests/regression/issue_1234_test.rs` reproduces #1234: it fails without this change and passes with it.\n````\n";
    assert!(text.contains(expected_section), "{text}");
    assert!(text.contains("Hand-written notes stay."));
    assert!(gh.requests().is_empty(), "drafting never reaches GitHub");
    // Hand edits outside the section survive a second draft; the section is replaced, once.
    let edited = text.replace(
        "Hand-written notes stay.",
        "Hand-written notes stay, edited.",
    );
    std::fs::write(root.join(FIX), &edited).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&root.join(FIX)), "type": 2}]}),
    );
    let again = drafted(&root, &mut c);
    assert!(again.contains("Hand-written notes stay, edited."));
    assert_eq!(
        again.matches("<!-- chant-lsp:upstream-pr drafted=").count(),
        1
    );
}

#[test]
fn submit_asks_first_then_sends_exactly_the_draft() {
    let (_d, root) = investigation();
    let gh = FakeGitHub::start();
    github_ok(&gh);
    let mut c = start(&root, &gh, &[]);
    let text = drafted(&root, &mut c);
    let asked = answer(&mut c, Some("Create pull request"));
    c.command("chant-lsp.submitPr", fix_uri(&root));
    let msg = c.wait_message("Opened pull request #7");
    assert!(msg.contains("https://github.com/acme/kvstore/pull/7"));
    // The question states repository, head -> base and title, with the three choices.
    let q = &asked.lock().unwrap()[0];
    let question = q["message"].as_str().unwrap();
    assert!(
        question.starts_with("Open a public pull request on acme/kvstore? Anyone can read it once it is open\nforker:fix-1234 -> main\nTitle: Fix #1234: lock the segment during put\nThe body is the spec's \"Upstream PR\" section\nStill wrong:\n- warning missing-phase-field: "),
        "{question}"
    );
    let titles: Vec<&str> = q["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Create pull request", "Create draft pull request", "Cancel"]
    );
    // Exactly one POST, with exactly the drafted title and body.
    let posts = gh.posts();
    assert_eq!(posts.len(), 1);
    let section = &text[text.find("````markdown\n").unwrap() + 13..text.rfind("````").unwrap()];
    assert_eq!(
        posts[0].json(),
        json!({"title": "Fix #1234: lock the segment during put", "head": "forker:fix-1234", "base": "main", "body": section, "draft": false})
    );
    assert_eq!(posts[0].path, "/repos/acme/kvstore/pulls");
    assert_eq!(
        posts[0].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    // Before asking: the PRs GitHub has from the branch, in any state.
    let list = gh
        .requests()
        .into_iter()
        .find(|r| r.method == "GET" && r.path.starts_with("/repos/acme/kvstore/pulls"))
        .unwrap();
    assert!(
        list.path.contains("head=forker%3Afix-1234") && list.path.contains("state=all"),
        "{}",
        list.path
    );
    // Recorded in the body, not the frontmatter.
    let after = std::fs::read_to_string(root.join(FIX)).unwrap();
    assert!(after.contains("PR: https://github.com/acme/kvstore/pull/7 (#7)\n"));
    assert_eq!(
        after.split("---").nth(1),
        text.split("---").nth(1),
        "frontmatter untouched"
    );
    no_token_leak(&c);
}

#[test]
fn draft_choice_sends_a_draft() {
    let (_d, root) = investigation();
    let gh = FakeGitHub::start();
    github_ok(&gh);
    let mut c = start(&root, &gh, &[]);
    drafted(&root, &mut c);
    answer(&mut c, Some("Create draft pull request"));
    c.command("chant-lsp.submitPr", fix_uri(&root));
    c.wait_message("Opened draft pull request #7");
    assert_eq!(gh.posts()[0].json()["draft"], true);
}

#[test]
fn cancel_or_dismiss_sends_nothing() {
    for choice in [Some("Cancel"), None] {
        let (_d, root) = investigation();
        let gh = FakeGitHub::start();
        github_ok(&gh);
        let mut c = start(&root, &gh, &[]);
        let text = drafted(&root, &mut c);
        answer(&mut c, choice);
        c.command("chant-lsp.submitPr", fix_uri(&root));
        c.wait_message("no pull request was created");
        assert!(gh.posts().is_empty(), "{choice:?}");
        assert_eq!(
            std::fs::read_to_string(root.join(FIX)).unwrap(),
            text,
            "spec unchanged"
        );
    }
}

#[test]
fn an_open_pr_for_the_branch_is_never_duplicated() {
    let (_d, root) = investigation();
    let gh = FakeGitHub::start();
    gh.route("GET", "/repos/acme/kvstore", 200, repo_json("main"));
    gh.route(
        "GET",
        "/repos/acme/kvstore/pulls",
        200,
        json!([pr_json(5, "forker", "fix-1234", "open", false)]),
    );
    let mut c = start(&root, &gh, &[]);
    drafted(&root, &mut c);
    let asked = answer(&mut c, Some("Create pull request"));
    c.command("chant-lsp.submitPr", fix_uri(&root));
    c.wait_message("already open: https://github.com/acme/kvstore/pull/5");
    assert!(gh.posts().is_empty());
    assert!(asked.lock().unwrap().is_empty(), "nothing to confirm");
    assert!(std::fs::read_to_string(root.join(FIX))
        .unwrap()
        .contains("PR: https://github.com/acme/kvstore/pull/5 (#5)"));
}

/// GitHub says the PR already exists (someone opened it meanwhile): it is found and
/// recorded, and no second one is attempted.
#[test]
fn a_pr_created_meanwhile_is_found_not_duplicated() {
    let (_d, root) = investigation();
    let gh = FakeGitHub::start();
    gh.route("GET", "/repos/acme/kvstore", 200, repo_json("main"));
    gh.route_once("GET", "/repos/acme/kvstore/pulls", 200, json!([]));
    gh.route(
        "GET",
        "/repos/acme/kvstore/pulls",
        200,
        json!([pr_json(8, "forker", "fix-1234", "open", false)]),
    );
    gh.route("POST", "/repos/acme/kvstore/pulls", 422, json!({"message": "Validation Failed", "errors": [{"resource": "PullRequest", "code": "custom", "message": "A pull request already exists for forker:fix-1234."}]}));
    let mut c = start(&root, &gh, &[]);
    drafted(&root, &mut c);
    answer(&mut c, Some("Create pull request"));
    c.command("chant-lsp.submitPr", fix_uri(&root));
    c.wait_message("already exists: https://github.com/acme/kvstore/pull/8");
    assert_eq!(gh.posts().len(), 1, "one attempt, never retried");
    assert!(std::fs::read_to_string(root.join(FIX))
        .unwrap()
        .contains("PR: https://github.com/acme/kvstore/pull/8 (#8)"));
}

/// Each failure: a clear message, no POST beyond the one refused, the spec unchanged.
#[test]
fn failures_are_explained_and_leave_the_spec_alone() {
    type Case = (
        &'static str,
        Box<dyn Fn(&FakeGitHub)>,
        Vec<(&'static str, &'static str)>,
    );
    let cases: Vec<Case> = vec![
        (
            "rejected the token (401",
            Box::new(|gh: &FakeGitHub| {
                for path in ["/repos/acme/kvstore", "/repos/acme/kvstore/pulls"] {
                    gh.route("GET", path, 401, json!({"message": "Bad credentials"}));
                }
            }),
            vec![],
        ),
        (
            "No commits between main and forker:fix-1234",
            Box::new(|gh: &FakeGitHub| {
                gh.route("GET", "/repos/acme/kvstore", 200, repo_json("main"));
                gh.route("GET", "/repos/acme/kvstore/pulls", 200, json!([]));
                gh.route("POST", "/repos/acme/kvstore/pulls", 422, json!({"message": "Validation Failed", "errors": [{"resource": "PullRequest", "code": "custom", "message": "No commits between main and forker:fix-1234"}]}));
            }),
            vec![],
        ),
        (
            "could not reach GitHub",
            Box::new(|_: &FakeGitHub| {}),
            vec![("GITHUB_API_URL", "http://127.0.0.1:9")],
        ),
        (
            "could not reach GitHub",
            Box::new(|gh: &FakeGitHub| {
                gh.route_delayed(
                    "GET",
                    "/repos/acme/kvstore/pulls",
                    200,
                    json!([]),
                    std::time::Duration::from_secs(4),
                );
            }),
            vec![],
        ),
        (
            "no GitHub token for github.com",
            Box::new(|_: &FakeGitHub| {}),
            vec![("GH_TOKEN", "")],
        ),
    ];
    for (expect, script, env) in cases {
        let (_d, root) = investigation();
        let gh = FakeGitHub::start();
        script(&gh);
        let mut c = start(&root, &gh, &env);
        let text = drafted(&root, &mut c);
        answer(&mut c, Some("Create pull request"));
        c.command("chant-lsp.submitPr", fix_uri(&root));
        let msg = c.wait_message("Pull request not created");
        assert!(msg.contains(expect), "{expect}: {msg}");
        assert!(gh.posts().len() <= 1);
        assert_eq!(
            std::fs::read_to_string(root.join(FIX)).unwrap(),
            text,
            "{expect}: spec unchanged"
        );
        no_token_leak(&c);
    }
}

#[test]
fn an_unpushed_branch_or_missing_draft_is_refused_before_any_request() {
    let (_d, root) = investigation();
    let gh = FakeGitHub::start();
    github_ok(&gh);
    let mut c = start(&root, &gh, &[]);
    c.command("chant-lsp.submitPr", fix_uri(&root));
    c.wait_message("run \"Draft upstream PR body\" first");
    drafted(&root, &mut c);
    git(
        &root,
        &["commit", "-q", "--allow-empty", "-m", "not pushed yet"],
    );
    c.command("chant-lsp.submitPr", fix_uri(&root));
    let msg = c.wait_message("is not pushed");
    assert!(msg.contains("git push -u origin fix-1234"), "{msg}");
    assert!(gh.requests().is_empty());
}

#[test]
fn editors_without_dialogs_confirm_through_a_code_action() {
    let (_d, root) = investigation();
    let gh = FakeGitHub::start();
    github_ok(&gh);
    let mut c = start(&root, &gh, &[]);
    drafted(&root, &mut c);
    // Like Helix: showMessageRequest is not a method it knows.
    c.responders.insert(
        "window/showMessageRequest".into(),
        Box::new(|_: &Value| json!({"__error": -32601})),
    );
    c.command_started("chant-lsp.submitPr", fix_uri(&root));
    let msg = c.wait_message("cannot show a confirmation dialog");
    assert!(msg.contains("within 10 minutes"), "{msg}");
    assert!(
        gh.posts().is_empty(),
        "nothing sent without the confirmation"
    );
    let actions = Value::Array(c.code_actions(&root.join(FIX)));
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["title"].as_str())
        .filter(|t| t.starts_with("Confirm: "))
        .collect();
    assert_eq!(titles, [
        "Confirm: Create pull request: Open a public pull request on acme/kvstore? Anyone can read it once it is open (forker:fix-1234 -> main; Title: Fix #1234: lock the segment during put; The body is the spec's \"Upstream PR\" section)",
        "Confirm: Create draft pull request: Open a public pull request on acme/kvstore? Anyone can read it once it is open (forker:fix-1234 -> main; Title: Fix #1234: lock the segment during put; The body is the spec's \"Upstream PR\" section)",
    ], "{actions:#}");
    let confirm = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str() == Some(titles[0]))
        .unwrap()
        .clone();
    let cmd = &confirm["command"];
    c.command(cmd["command"].as_str().unwrap(), cmd["arguments"].clone());
    c.wait_message("Opened pull request #7");
    assert_eq!(gh.posts().len(), 1);
    // Used once: the same confirmation cannot send a second PR.
    c.command(cmd["command"].as_str().unwrap(), cmd["arguments"].clone());
    c.wait_message("no longer valid");
    assert_eq!(gh.posts().len(), 1);
}

const UPR: &str = ".chant/specs/2026-02-08-00a-upr.md";

/// Archive investigation: the gate asks GitHub, nothing moves before the merge; once merged
/// every spec of the issue moves in one editor edit, the upstream-PR spec marked completed,
/// and git has the moves staged with the files' current content.
#[test]
fn archive_investigation_waits_for_the_merge_then_moves_everything() {
    let (_d, root) = investigation();
    git(&root, &["checkout", "-q", "main"]);
    std::fs::write(root.join(UPR), "---\ntype: task\nstatus: pending\nlabels: [issue-1234, upstream-pr]\n---\n# Upstream PR for issue #1234\n").unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "upstream-pr spec"]);
    let upr_uri = json!([uri(&root.join(UPR))]);

    // Open, not merged (and the branch not merged locally): nothing moves, no question.
    let gh = FakeGitHub::start();
    gh.route(
        "GET",
        "/repos/acme/kvstore/pulls",
        200,
        json!([pr_json(7, "forker", "fix-1234", "open", false)]),
    );
    let mut c = start(&root, &gh, &[]);
    let asked = answer(&mut c, Some("Archive without a merged PR"));
    c.command("chant-lsp.archiveInvestigation", upr_uri.clone());
    let msg = c.wait_message("Not archived");
    assert_eq!(msg, "Not archived: pull request #7 (https://github.com/acme/kvstore/pull/7) is open, not merged; the work branch `fix-1234` of `2026-02-08-009-fix` is not merged into `main`.");
    assert!(asked.lock().unwrap().is_empty());
    assert!(!root.join(".chant/archive").exists());
    assert!(gh.posts().is_empty() && gh.requests().iter().all(|r| r.method == "GET"));
    drop(c);

    // Merged (squashed: no local ancestry): one confirmation with titles, then one edit.
    let gh = FakeGitHub::start();
    gh.route(
        "GET",
        "/repos/acme/kvstore/pulls",
        200,
        json!([pr_json(7, "forker", "fix-1234", "closed", true)]),
    );
    let mut caps = Client::default_capabilities();
    caps["workspace"]["applyEdit"] = json!(true);
    caps["workspace"]["workspaceEdit"] =
        json!({"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]});
    let env = [
        ("GITHUB_API_URL", gh.url.as_str()),
        ("GH_TOKEN", TOKEN),
        ("CHANT_LSP_GITHUB_TIMEOUT_SECS", "2"),
    ];
    let (mut c, _) = Client::start_with_env(&[&root], caps, &env);
    c.settle(std::time::Duration::from_millis(300));
    let edits = c.move_files_when_asked();
    let asked = answer(&mut c, Some("Archive the investigation"));
    c.command("chant-lsp.archiveInvestigation", upr_uri);
    let msg = c.wait_message("Archived 6 specs of issue #1234");
    assert!(msg.contains("(staged in git)"), "{msg}");
    let question = asked.lock().unwrap()[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        question,
        "Archive the 6 specs of issue #1234?\nPull request #7 is merged; the upstream-PR spec `2026-02-08-00a-upr` is marked completed\n- Comprehension: issue #1234 (2026-02-08-001-cmp)\n- Reproduce issue #1234 (2026-02-08-002-rep)\n- Root cause: issue #1234 (2026-02-08-005-rca)\n- Impact map: issue #1234 (2026-02-08-008-imp)\n- Fix issue #1234: lock the segment during put (2026-02-08-009-fix)\n- Upstream PR for issue #1234 (2026-02-08-00a-upr)\nThey move to .chant/archive/ and the moves are staged in git"
    );
    let edits = edits.lock().unwrap().clone();
    assert_eq!(edits.len(), 1, "one workspace edit");
    assert_eq!(
        edits[0]["edit"]["documentChanges"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
    let upr = std::fs::read_to_string(root.join(".chant/archive/2026-02-08/2026-02-08-00a-upr.md"))
        .unwrap();
    assert!(
        upr.contains("status: completed\n") && upr.contains("completed_at: "),
        "{upr}"
    );
    // Staged with their content: renames only, nothing left modified in the work tree.
    let status = git(&root, &["status", "--porcelain"]);
    assert_eq!(status.lines().count(), 6, "{status}");
    assert!(status.lines().all(|l| l.starts_with("R  ")), "{status}");
    assert!(std::fs::read_dir(root.join(".chant/specs"))
        .unwrap()
        .next()
        .is_none());
    assert!(gh.posts().is_empty());
    no_token_leak(&c);
}

/// A `PR:` line naming a host no git remote names is reported, and nothing is sent there.
#[test]
fn a_pr_on_a_host_no_remote_names_is_never_contacted() {
    let (_d, root) = investigation();
    let fix = root.join(FIX);
    let with_pr = std::fs::read_to_string(&fix).unwrap()
        + "\n<!-- chant-lsp:upstream-pr -->\n## Upstream PR\n\nTitle: Fix #1234: x\nPR: https://127.0.0.1:1/acme/kvstore/pull/7 (#7)\n\n````markdown\nbody\n````\n<!-- /chant-lsp:upstream-pr -->\n";
    std::fs::write(&fix, with_pr).unwrap();
    let gh = FakeGitHub::start();
    let mut c = start(&root, &gh, &[("GH_ENTERPRISE_TOKEN", TOKEN)]);
    c.command("chant-lsp.archiveInvestigation", fix_uri(&root));
    let msg = c.wait_message("Not archived");
    assert!(
        msg.contains("is on 127.0.0.1:1, which none of this repository's git remotes names"),
        "{msg}"
    );
    assert!(gh.requests().is_empty());
    assert!(!root.join(".chant/archive").exists());
}

/// After submission: "Update upstream PR…" sends the edited section (PATCH) only after a
/// confirmation saying what changes; "Refresh pull request status" records state, review
/// and checks with the time, which hover then shows without asking GitHub again.
#[test]
fn the_open_pr_is_updated_after_a_confirmation_and_its_status_recorded() {
    let (_d, root) = investigation();
    let gh = FakeGitHub::start();
    let open = pr_json_full(
        7,
        "forker",
        "fix-1234",
        "open",
        false,
        false,
        "Fix #1234: old title",
        "old body\n",
        "abc123",
    );
    // No record in the spec: the PR is found from the branch.
    gh.route(
        "GET",
        "/repos/acme/kvstore/pulls",
        200,
        json!([open.clone()]),
    );
    gh.route("PATCH", "/repos/acme/kvstore/pulls/7", 200, open.clone());
    gh.route("GET", "/repos/acme/kvstore/pulls/7", 200, open);
    gh.route(
        "GET",
        "/repos/acme/kvstore/pulls/7/reviews",
        200,
        reviews_json(&[
            ("maintainer", "CHANGES_REQUESTED"),
            ("maintainer", "APPROVED"),
        ]),
    );
    gh.route(
        "GET",
        "/repos/acme/kvstore/commits/abc123/check-runs",
        200,
        check_runs_json(&[("completed", Some("success"))]),
    );
    gh.route(
        "GET",
        "/repos/acme/kvstore/commits/abc123/status",
        200,
        combined_status_json("success", 1),
    );
    let mut c = start(&root, &gh, &[]);
    let text = drafted(&root, &mut c);
    let asked = answer(&mut c, Some("Update pull request"));
    c.command("chant-lsp.updatePr", fix_uri(&root));
    c.wait_message("Updated pull request #7");
    let q = asked.lock().unwrap()[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(q.starts_with("Update public pull request #7 on acme/kvstore?\nTitle: \"Fix #1234: old title\" -> \"Fix #1234: lock the segment during put\"\nBody: "), "{q}");
    let patches: Vec<_> = gh
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1);
    let section = &text[text.find("````markdown\n").unwrap() + 13..text.rfind("````").unwrap()];
    let sent = patches[0].json();
    assert_eq!(patches[0].path, "/repos/acme/kvstore/pulls/7");
    assert_eq!(
        (&sent["title"], &sent["body"]),
        (
            &json!("Fix #1234: lock the segment during put"),
            &json!(section)
        )
    );
    // The PR found on GitHub is now recorded on disk.
    assert!(std::fs::read_to_string(root.join(FIX))
        .unwrap()
        .contains("PR: https://github.com/acme/kvstore/pull/7 (#7)\n"));

    c.command("chant-lsp.refreshPr", fix_uri(&root));
    let msg = c.wait_message("Pull request #7: open");
    assert!(
        msg.starts_with("Pull request #7: open, approved, checks passing (checked 20"),
        "{msg}"
    );
    let after = std::fs::read_to_string(root.join(FIX)).unwrap();
    assert!(
        after.contains("\nStatus: open, approved, checks passing (checked "),
        "{after}"
    );
    // Hover reads the record; it never asks GitHub.
    let asked_before = gh.requests().len();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&root.join(FIX)), "type": 2}]}),
    );
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&root.join(FIX))}, "position": {"line": 7, "character": 3}}),
    );
    assert!(
        hover.to_string().contains("open, approved, checks passing"),
        "{hover}"
    );
    assert_eq!(gh.requests().len(), asked_before);
    // With a PR recorded, Submit is no longer offered; Open, Update and Refresh are.
    let actions = Value::Array(c.code_actions(&root.join(FIX)));
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["title"].as_str())
        .collect();
    assert!(
        !titles.iter().any(|t| t.starts_with("Submit")),
        "{titles:?}"
    );
    for t in [
        "Open pull request #7",
        "Update upstream PR #7…",
        "Refresh pull request #7 status",
    ] {
        assert!(titles.contains(&t), "{t} in {titles:?}");
    }
    no_token_leak(&c);
}

/// The gate with no PR anywhere: the confirmation says so and only an explicit "Archive
/// without a merged PR" goes on; one unsaved spec stops the whole investigation first.
#[test]
fn archive_investigation_without_a_pr_or_with_an_unsaved_spec() {
    let (_d, root) = investigation();
    git(&root, &["checkout", "-q", "main"]);
    git(&root, &["merge", "-q", "--no-edit", "fix-1234"]);
    let gh = FakeGitHub::start();
    gh.route("GET", "/repos/acme/kvstore/pulls", 200, json!([]));
    let mut c = start(&root, &gh, &[]);
    // Unsaved edits in one spec: nothing is asked, nothing moves.
    let rep = root.join(".chant/specs/2026-02-08-002-rep.md");
    let rep_text = std::fs::read_to_string(&rep).unwrap();
    c.open(&rep, &rep_text);
    c.change(
        &rep,
        2,
        json!([{"text": format!("{rep_text}typed, not saved\n")}]),
    );
    let asked = answer(&mut c, Some("Archive without a merged PR"));
    c.command("chant-lsp.archiveInvestigation", fix_uri(&root));
    let msg = c.wait_message("Not archived");
    assert!(
        msg.contains("1 spec has unsaved changes in the editor (`2026-02-08-002-rep`)"),
        "{msg}"
    );
    assert!(asked.lock().unwrap().is_empty());
    assert!(!root.join(".chant/archive").exists());
    // Saved (reverted): the gate finds no PR; dismissing the confirmation moves nothing.
    c.change(&rep, 3, json!([{"text": rep_text}]));
    let asked = answer(&mut c, None);
    c.command("chant-lsp.archiveInvestigation", fix_uri(&root));
    let msg = c.wait_message("Nothing archived");
    assert_eq!(msg, "Nothing archived: no pull request was found for it (none recorded in its specs, none on GitHub from the fix branch).");
    let q = asked.lock().unwrap()[0].clone();
    assert!(
        q["message"]
            .as_str()
            .unwrap()
            .starts_with("Archive the 5 specs of issue #1234 without a merged pull request?"),
        "{q}"
    );
    assert_eq!(
        q["actions"],
        json!([{"title": "Archive without a merged PR"}, {"title": "Cancel"}])
    );
    assert!(!root.join(".chant/archive").exists());
    // Chosen explicitly: it goes.
    answer(&mut c, Some("Archive without a merged PR"));
    c.command("chant-lsp.archiveInvestigation", fix_uri(&root));
    c.wait_message("Archived 5 specs of issue #1234");
    assert!(gh.posts().is_empty());
}

/// Drafting again over a hand-edited section asks; Cancel keeps the person's text.
#[test]
fn re_drafting_keeps_a_hand_edit_unless_told() {
    let (_d, root) = investigation();
    let gh = FakeGitHub::start();
    let mut c = start(&root, &gh, &[]);
    let text = drafted(&root, &mut c);
    let edited = text.replace("## Testing", "## Testing\n\nI ran it by hand, too.");
    std::fs::write(root.join(FIX), &edited).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&root.join(FIX)), "type": 2}]}),
    );
    let asked = answer(&mut c, Some("Cancel"));
    c.command("chant-lsp.draftPr", fix_uri(&root));
    c.wait_message("Kept your draft");
    assert_eq!(std::fs::read_to_string(root.join(FIX)).unwrap(), edited);
    let q = asked.lock().unwrap()[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        q.starts_with("Replace the upstream PR draft, which was edited since it was drafted?"),
        "{q}"
    );
    answer(&mut c, Some("Replace the draft"));
    c.command("chant-lsp.draftPr", fix_uri(&root));
    c.wait_message("Drafted the upstream PR");
    c.settle(std::time::Duration::from_millis(200));
    assert_eq!(std::fs::read_to_string(root.join(FIX)).unwrap(), text);
}
