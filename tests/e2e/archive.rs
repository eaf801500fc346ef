//! Archiving from the editor, in temporary git repositories.

use serde_json::{json, Value};

use crate::support::{git, repo, uri, Client};

const DONE: &str = "---\ntype: code\nstatus: completed\n---\n# Done work\n\nBody with ünïcode and no trailing newline";
const OPEN: &str = "---\nstatus: in_progress\n---\n# Still going\n";

fn spec(id: &str) -> String {
    format!(".chant/specs/{id}.md")
}

fn start(root: &std::path::Path) -> Client {
    let (mut c, _) = Client::start(&[root], Client::default_capabilities());
    // Wait for the index: the first spec's diagnostics or a quiet moment.
    c.settle(std::time::Duration::from_millis(300));
    say_yes(&mut c);
    c
}

/// The person answers every confirmation with its first choice, and the questions are kept.
fn say_yes(c: &mut Client) -> std::sync::Arc<std::sync::Mutex<Vec<Value>>> {
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = asked.clone();
    c.responders.insert(
        "window/showMessageRequest".into(),
        Box::new(move |p: &Value| {
            log.lock().unwrap().push(p.clone());
            p["actions"][0].clone()
        }),
    );
    asked
}

fn archive(c: &mut Client, root: &std::path::Path, id: &str, command: &str) -> Value {
    c.command(command, json!([uri(&root.join(spec(id)))]))
}

#[test]
fn archive_moves_byte_for_byte_and_stages_a_rename() {
    let (_d, root) = repo(&[(&spec("2026-02-08-001-aaa"), DONE)]);
    let mut c = start(&root);
    let before = std::fs::read(root.join(spec("2026-02-08-001-aaa"))).unwrap();
    archive(&mut c, &root, "2026-02-08-001-aaa", "chant-lsp.archive");
    let msg = c.wait_message("Archived");
    assert!(
        msg.contains("2026-02-08-001-aaa") && msg.contains("staged in git"),
        "{msg}"
    );
    let moved = root.join(".chant/archive/2026-02-08/2026-02-08-001-aaa.md");
    assert_eq!(std::fs::read(&moved).unwrap(), before, "byte for byte");
    assert!(!root.join(spec("2026-02-08-001-aaa")).exists());
    let status = git(&root, &["status", "--porcelain"]);
    assert_eq!(
        status.trim(),
        "R  .chant/specs/2026-02-08-001-aaa.md -> .chant/archive/2026-02-08/2026-02-08-001-aaa.md"
    );
}

#[test]
fn members_travel_with_their_driver() {
    let (_d, root) = repo(&[
        (
            &spec("2026-02-08-002-drv"),
            "---\ntype: group\nstatus: completed\n---\n# Driver\n",
        ),
        (&spec("2026-02-08-002-drv.1"), DONE),
        (
            &spec("2026-02-08-002-drv.2"),
            "---\nstatus: cancelled\n---\n# Two\n",
        ),
    ]);
    let mut c = start(&root);
    archive(&mut c, &root, "2026-02-08-002-drv", "chant-lsp.archive");
    c.wait_message("Archived");
    let status = git(&root, &["status", "--porcelain"]);
    let renamed: Vec<&str> = status.lines().filter(|l| l.starts_with("R  ")).collect();
    assert_eq!(renamed.len(), 3, "{status}");
    for id in [
        "2026-02-08-002-drv",
        "2026-02-08-002-drv.1",
        "2026-02-08-002-drv.2",
    ] {
        assert!(
            root.join(format!(".chant/archive/2026-02-08/{id}.md"))
                .exists(),
            "{id}"
        );
    }
}

/// Every refusal leaves the tree exactly as it was.
#[test]
fn refusals_leave_the_tree_unchanged() {
    let (_d, root) = repo(&[
        (&spec("2026-02-08-003-opn"), OPEN),
        (
            &spec("2026-02-08-004-drv"),
            "---\ntype: group\nstatus: completed\n---\n# Driver\n",
        ),
        (&spec("2026-02-08-004-drv.1"), OPEN),
        (&spec("2026-02-08-005-dst"), DONE),
        (
            ".chant/archive/2026-02-08/2026-02-08-005-dst.md",
            "an older copy",
        ),
        (
            &spec("2026-02-08-006-brn"),
            "---\nstatus: completed\nbranch: chant/2026-02-08-006-brn\n---\n# Branch\n",
        ),
        (&spec("2026-02-08-007-dty"), DONE),
    ]);
    git(&root, &["branch", "chant/2026-02-08-006-brn"]);
    git(&root, &["checkout", "-q", "chant/2026-02-08-006-brn"]);
    git(
        &root,
        &["commit", "-q", "--allow-empty", "-m", "work not merged"],
    );
    git(&root, &["checkout", "-q", "main"]);
    let mut c = start(&root);
    // Unsaved edits in the editor.
    c.open(&root.join(spec("2026-02-08-007-dty")), DONE);
    c.change(
        &root.join(spec("2026-02-08-007-dty")),
        2,
        json!([{"text": "---\nstatus: completed\n---\n# Edited, not saved\n"}]),
    );
    let snapshot = || {
        (
            git(&root, &["status", "--porcelain", "--untracked-files=all"]),
            std::fs::read_to_string(root.join(".chant/archive/2026-02-08/2026-02-08-005-dst.md"))
                .unwrap(),
        )
    };
    let before = snapshot();
    for (id, why) in [
        ("2026-02-08-003-opn", "is `in_progress`, not completed"),
        ("2026-02-08-004-drv", "member `2026-02-08-004-drv.1`"),
        (
            "2026-02-08-005-dst",
            "already exists; archiving never overwrites",
        ),
        ("2026-02-08-006-brn", "is not merged into `main`"),
        ("2026-02-08-007-dty", "unsaved changes"),
    ] {
        archive(&mut c, &root, id, "chant-lsp.archive");
        let msg = c.wait_message(why);
        assert!(msg.starts_with("Not archived"), "{msg}");
        assert_eq!(snapshot(), before, "after refusing {id}");
    }
    // "Archive anyway" is the explicit way past the status check, and only that one; it
    // always asks, and a dismissed question moves nothing.
    c.responders.insert(
        "window/showMessageRequest".into(),
        Box::new(|_: &Value| Value::Null),
    );
    archive(
        &mut c,
        &root,
        "2026-02-08-003-opn",
        "chant-lsp.archiveAnyway",
    );
    c.wait_message("Nothing archived.");
    assert_eq!(snapshot(), before);
    let asked = say_yes(&mut c);
    archive(
        &mut c,
        &root,
        "2026-02-08-003-opn",
        "chant-lsp.archiveAnyway",
    );
    let msg = c.wait_message("Archived 1 spec");
    assert!(msg.ends_with(": 2026-02-08-003-opn."), "{msg}");
    let q = asked.lock().unwrap()[0].clone();
    assert_eq!(q["message"], "Archive `2026-02-08-003-opn` although it is `in_progress`?\n- Still going (2026-02-08-003-opn)\nIt moves to .chant/archive/ with its status unchanged, and the move is staged in git");
    assert_eq!(
        q["actions"],
        json!([{"title": "Archive anyway"}, {"title": "Cancel"}])
    );
}

#[test]
fn a_git_failure_after_the_move_moves_the_spec_back() {
    let (_d, root) = repo(&[(&spec("2026-02-08-008-lck"), DONE)]);
    let mut c = start(&root);
    // Another git process holds the index.
    std::fs::write(root.join(".git/index.lock"), "").unwrap();
    archive(&mut c, &root, "2026-02-08-008-lck", "chant-lsp.archive");
    let msg = c.wait_message("moved back");
    assert!(msg.contains("index is locked"), "{msg}");
    assert_eq!(
        std::fs::read_to_string(root.join(spec("2026-02-08-008-lck"))).unwrap(),
        DONE
    );
    assert!(
        !root.join(".chant/archive/2026-02-08").exists(),
        "no half-made archive folder"
    );
    std::fs::remove_file(root.join(".git/index.lock")).unwrap();
    assert_eq!(git(&root, &["status", "--porcelain"]).trim(), "");
}

#[test]
fn without_git_it_is_a_plain_move_and_references_keep_resolving() {
    let (_d, root) = crate::support::workspace(&[
        (&spec("2026-02-08-009-aaa"), DONE),
        (
            &spec("2026-02-08-00a-bbb"),
            "---\ndepends_on: [2026-02-08-009-aaa]\n---\n# Dependent\n",
        ),
    ]);
    let mut c = start(&root);
    archive(&mut c, &root, "2026-02-08-009-aaa", "chant-lsp.archive");
    let msg = c.wait_message("Archived");
    assert!(msg.contains("plain move"), "{msg}");
    // The dependent now points into the archive: a hint, not an unknown-dependency error.
    let d = c.wait_diagnostics(&root.join(spec("2026-02-08-00a-bbb")), |d| !d.is_empty());
    assert_eq!(crate::support::codes(&d), ["archived-dependency"]);
}

#[test]
fn editors_that_move_files_get_a_rename_edit_and_the_move_is_staged() {
    let (_d, root) = repo(&[(&spec("2026-02-08-00b-cli"), DONE)]);
    let mut caps = Client::default_capabilities();
    caps["workspace"]["applyEdit"] = json!(true);
    caps["workspace"]["workspaceEdit"] =
        json!({"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]});
    let (mut c, _) = Client::start(&[&root], caps);
    c.settle(std::time::Duration::from_millis(300));
    say_yes(&mut c);
    let seen = c.move_files_when_asked();
    archive(&mut c, &root, "2026-02-08-00b-cli", "chant-lsp.archive");
    c.wait_message("Archived");
    let edits = seen.lock().unwrap().clone();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["edit"]["documentChanges"][0]["kind"], "rename");
    assert_eq!(
        edits[0]["edit"]["documentChanges"][0]["options"],
        json!({"overwrite": false, "ignoreIfExists": false})
    );
    assert_eq!(
        git(&root, &["status", "--porcelain"]).trim(),
        "R  .chant/specs/2026-02-08-00b-cli.md -> .chant/archive/2026-02-08/2026-02-08-00b-cli.md"
    );
}

fn confirm_actions(c: &mut Client, path: &std::path::Path) -> Vec<Value> {
    c.code_actions(path)
        .into_iter()
        .filter(|a| a["title"].as_str().unwrap_or("").starts_with("Confirm: "))
        .collect()
}

/// In an editor without dialogs, running the action again replaces the waiting
/// confirmation: one set of "Confirm" actions, the first run ends without a word, and the
/// old confirmation no longer does anything.
#[test]
fn a_second_run_replaces_the_waiting_confirmation() {
    let (_d, root) = repo(&[(&spec("2026-02-08-00c-two"), DONE)]);
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    c.settle(std::time::Duration::from_millis(300));
    c.responders.insert(
        "window/showMessageRequest".into(),
        Box::new(|_: &Value| json!({"__error": -32601})),
    );
    let path = root.join(spec("2026-02-08-00c-two"));
    c.command_started("chant-lsp.archive", json!([uri(&path)]));
    c.wait_message("cannot show a confirmation dialog");
    let first = confirm_actions(&mut c, &path);
    assert_eq!(first.len(), 1, "{first:#?}");
    c.command_started("chant-lsp.archive", json!([uri(&path)]));
    c.settle(std::time::Duration::from_millis(300));
    let second = confirm_actions(&mut c, &path);
    assert_eq!(second.len(), 1, "{second:#?}");
    assert_ne!(
        first[0]["command"]["arguments"],
        second[0]["command"]["arguments"]
    );
    let old = &first[0]["command"];
    c.command(old["command"].as_str().unwrap(), old["arguments"].clone());
    c.wait_message("no longer valid");
    assert!(path.exists());
    let new = &second[0]["command"];
    c.command(new["command"].as_str().unwrap(), new["arguments"].clone());
    c.wait_message("Archived 1 spec");
    assert!(
        !c.messages()
            .iter()
            .any(|m| m.starts_with("Nothing archived")),
        "the replaced run ended quietly: {:#?}",
        c.messages()
    );
}

/// Nobody answers: the confirmation expires after its stated time and says so.
#[test]
fn an_unanswered_confirmation_expires() {
    let (_d, root) = repo(&[(&spec("2026-02-08-00d-exp"), DONE)]);
    let (mut c, _) = Client::start_with_env(
        &[&root],
        Client::default_capabilities(),
        &[("CHANT_LSP_CONFIRM_WAIT_SECS", "1")],
    );
    c.settle(std::time::Duration::from_millis(300));
    c.responders.insert(
        "window/showMessageRequest".into(),
        Box::new(|_: &Value| json!({"__never": true})),
    );
    let path = root.join(spec("2026-02-08-00d-exp"));
    c.command("chant-lsp.archive", json!([uri(&path)]));
    let msg = c.wait_message("expired");
    assert_eq!(
        msg,
        "Nothing done: the confirmation waited 1 second unanswered and expired. Run \"Archive spec\" again."
    );
    assert!(path.exists());
}
