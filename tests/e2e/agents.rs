//! Agents at work: chant's lock and run-report files appear, change and go on disk while
//! the editor watches nothing (Neovim 0.11 on Linux); the lens, the hover, the warning on
//! edit and the stale-lock hint follow without the client telling the server anything.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{codes, find, uri, workspace, Client};

const ID: &str = "2026-03-01-001-aaa";
const SPEC: &str = "---\ntype: code\nstatus: in_progress\n---\n# Spec A\n\nSome text.\n";

/// Neovim 0.11's capabilities that matter here: no watched-files registration, code lens
/// refresh, workspace edits that delete files.
/// The quick fixes the client is offered for `diag` of `path`.
fn quick_fixes(c: &mut Client, path: &Path, diag: &Value) -> Value {
    c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri(path)},
            "range": diag["range"],
            "context": {"diagnostics": [diag], "only": ["quickfix"]},
        }),
    )
}

fn neovim() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-8", "utf-16", "utf-32"]},
        "workspace": {
            "didChangeWatchedFiles": {"dynamicRegistration": false},
            "workspaceFolders": true,
            "applyEdit": true,
            "codeLens": {"refreshSupport": true},
            "workspaceEdit": {"resourceOperations": ["rename", "create", "delete"]},
        },
        "window": {"workDoneProgress": true, "showMessage": {}},
    })
}

/// A process that runs until killed: the agent.
struct Agent(Child);

impl Agent {
    fn start() -> Agent {
        Agent(
            Command::new("sleep")
                .arg("600")
                .spawn()
                .expect("start sleep"),
        )
    }
    fn pid(&self) -> u32 {
        self.0.id()
    }
    /// Kills and reaps it, so its PID stops existing.
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.kill();
    }
}

fn lens_titles(c: &mut Client, spec: &Path) -> Vec<String> {
    let lenses = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri(spec)}}),
    );
    lenses
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["command"]["title"].as_str().map(str::to_string))
        .collect()
}

fn agent_lens(c: &mut Client, spec: &Path) -> Option<String> {
    lens_titles(c, spec)
        .into_iter()
        .find(|t| t.contains("agent"))
}

fn title_hover(c: &mut Client, spec: &Path) -> String {
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(spec)}, "position": {"line": 4, "character": 3}}),
    );
    h["contents"]["value"].as_str().unwrap_or("").to_string()
}

fn refreshes(c: &Client) -> usize {
    c.seen
        .iter()
        .filter(|m| m["method"] == "workspace/codeLens/refresh")
        .count()
}

/// Waits until the server has asked for more lens refreshes than `before`.
fn wait_refresh(c: &mut Client, before: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while refreshes(c) <= before {
        assert!(Instant::now() < deadline, "no workspace/codeLens/refresh");
        c.settle(Duration::from_millis(100));
    }
}

fn start(root: &Path) -> Client {
    // Local time is UTC for the server, so the times shown are those of the files.
    let (c, init) = Client::start_with_env(&[root], neovim(), &[("TZ", "UTC")]);
    assert_eq!(init["capabilities"]["textDocumentSync"]["save"], true);
    c
}

fn lock_file(root: &Path) -> PathBuf {
    root.join(format!(".chant/.locks/{ID}.lock"))
}

#[test]
fn an_agent_taking_and_leaving_a_spec_changes_lens_and_hover_by_itself() {
    let (_d, root) = workspace(&[(&format!(".chant/specs/{ID}.md"), SPEC)]);
    let spec = root.join(format!(".chant/specs/{ID}.md"));
    let mut c = start(&root);
    assert_eq!(agent_lens(&mut c, &spec), None);

    // chant work: the lock (created with its folder) and the run report.
    let agent = Agent::start();
    let before = refreshes(&c);
    std::fs::write(
        root.join(format!(".chant/specs/.chant-status-{ID}.json")),
        format!(r#"{{"spec_id": "{ID}", "status": "working", "updated_at": "2026-03-01T10:32:07.25+00:00"}}"#),
    )
    .unwrap();
    std::fs::create_dir_all(root.join(".chant/.locks")).unwrap();
    std::fs::write(lock_file(&root), agent.pid().to_string()).unwrap();
    wait_refresh(&mut c, before);
    let working = format!(
        "**Agent working** since 10:32 (PID {} holds its lock)",
        agent.pid()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !title_hover(&mut c, &spec).contains(&working) {
        assert!(Instant::now() < deadline, "{}", title_hover(&mut c, &spec));
        c.settle(Duration::from_millis(100));
    }
    assert_eq!(
        agent_lens(&mut c, &spec).as_deref(),
        Some("agent working since 10:32")
    );

    // The person starts editing: told once per edit session.
    let warning = format!(
        "An agent (PID {}) is working on {ID} and may overwrite your edits.",
        agent.pid()
    );
    let warnings = |c: &Client| c.messages().iter().filter(|m| **m == warning).count();
    c.open(&spec, SPEC);
    let edit = |c: &mut Client, version: i32| {
        c.change(
            &spec,
            version,
            json!([{"range": {"start": {"line": 6, "character": 0}, "end": {"line": 6, "character": 0}}, "text": "x"}]),
        )
    };
    edit(&mut c, 2);
    c.wait_message(&warning);
    edit(&mut c, 3);
    edit(&mut c, 4);
    c.settle(Duration::from_millis(300));
    assert_eq!(warnings(&c), 1, "once per edit session");
    // A save ends the session: the next edit starts another.
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&spec)}}),
    );
    edit(&mut c, 5);
    c.settle(Duration::from_millis(300));
    assert_eq!(warnings(&c), 2, "{:?}", c.messages());

    // The run fails: chant writes the report and its guard removes the lock.
    let before = refreshes(&c);
    std::fs::write(
        root.join(format!(".chant/specs/.chant-status-{ID}.json")),
        format!(r#"{{"spec_id": "{ID}", "status": "failed", "updated_at": "2026-03-01T10:40:00Z", "error": "Agent exited with code 1"}}"#),
    )
    .unwrap();
    std::fs::remove_file(lock_file(&root)).unwrap();
    wait_refresh(&mut c, before);
    let deadline = Instant::now() + Duration::from_secs(20);
    while agent_lens(&mut c, &spec).as_deref() != Some("agent failed: Agent exited with code 1") {
        assert!(
            Instant::now() < deadline,
            "{:?}",
            lens_titles(&mut c, &spec)
        );
        c.settle(Duration::from_millis(100));
    }
    let hover = title_hover(&mut c, &spec);
    assert!(
        hover.contains("**Agent failed** at 2026-03-01 10:40:")
            && hover.contains("Agent exited with code 1"),
        "{hover}"
    );
    // No live agent any more: editing is quiet.
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&spec)}}),
    );
    edit(&mut c, 6);
    c.settle(Duration::from_millis(300));
    assert_eq!(warnings(&c), 2);
    drop(agent);
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn a_killed_agent_leaves_a_stale_lock_with_a_quick_fix_that_deletes_it() {
    let (_d, root) = workspace(&[(&format!(".chant/specs/{ID}.md"), SPEC)]);
    let spec = root.join(format!(".chant/specs/{ID}.md"));
    let mut c = start(&root);
    c.open(&spec, SPEC);
    c.wait_diagnostics(&spec, |d| d.is_empty());

    let mut agent = Agent::start();
    std::fs::create_dir_all(root.join(".chant/.locks")).unwrap();
    std::fs::write(lock_file(&root), format!("{}\n", agent.pid())).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !agent_lens(&mut c, &spec).is_some_and(|l| l.starts_with("agent working")) {
        assert!(
            Instant::now() < deadline,
            "{:?}",
            lens_titles(&mut c, &spec)
        );
        c.settle(Duration::from_millis(100));
    }

    // Killed: no file changes, yet the hint comes and the lenses are refreshed.
    let before = refreshes(&c);
    agent.kill();
    let d = c.wait_diagnostics(&spec, |d| {
        codes(d).contains(&"stale-agent-lock".to_string())
    });
    let hint = find(&d, "stale-agent-lock");
    assert_eq!(hint["severity"], 4, "a hint");
    assert_eq!(
        hint["range"]["start"],
        json!({"line": 4, "character": 0}),
        "on the title"
    );
    let rel = format!(".chant/.locks/{ID}.lock");
    assert!(
        hint["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("`{rel}` names PID {}", agent.pid()))),
        "{hint}"
    );
    wait_refresh(&mut c, before);
    assert_eq!(
        agent_lens(&mut c, &spec),
        Some(format!(
            "stale agent lock (PID {} not running)",
            agent.pid()
        ))
    );

    // The quick fix deletes the lock file.
    let actions = quick_fixes(&mut c, &spec, hint);
    let fix = actions
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["diagnostics"][0]["code"] == "stale-agent-lock")
        .unwrap_or_else(|| panic!("no quick fix: {actions}"));
    assert_eq!(fix["title"], format!("Delete the stale lock `{rel}`"));
    assert_eq!(
        fix["edit"]["documentChanges"],
        json!([{"kind": "delete", "uri": uri(&lock_file(&root)), "options": {"ignoreIfNotExists": true}}])
    );
    // The editor applies it; the hint goes.
    std::fs::remove_file(lock_file(&root)).unwrap();
    c.wait_diagnostics(&spec, |d| d.is_empty());
    assert_eq!(agent_lens(&mut c, &spec), None);

    // An editor that cannot delete files gets no fix, only the message naming the file.
    let mut caps = neovim();
    caps["workspace"]["workspaceEdit"] = json!({"resourceOperations": ["rename"]});
    std::fs::write(lock_file(&root), format!("{}\n", agent.pid())).unwrap();
    let (mut plain, _) = Client::start(&[&root], caps);
    plain.open(&spec, SPEC);
    let d = plain.wait_diagnostics(&spec, |d| {
        codes(d).contains(&"stale-agent-lock".to_string())
    });
    let hint = find(&d, "stale-agent-lock").clone();
    assert!(
        hint["message"]
            .as_str()
            .is_some_and(|m| m.ends_with(&format!("delete `{rel}`"))),
        "{hint}"
    );
    let actions = quick_fixes(&mut plain, &spec, &hint);
    assert_eq!(actions, json!([]), "{actions}");
}

/// `check` reports the files, not the machine: a stale lock is no finding.
#[test]
fn check_does_not_report_a_stale_lock() {
    let (_d, root) = workspace(&[
        (&format!(".chant/specs/{ID}.md"), SPEC),
        (&format!(".chant/.locks/{ID}.lock"), "999999999\n"),
    ]);
    let out = Command::new(crate::support::bin())
        .arg("check")
        .arg(&root)
        .output()
        .expect("run check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("stale-agent-lock"), "{stdout}");
    assert_eq!(out.status.code(), Some(0), "{stdout}");
}
