//! The investigation features over stdio: starting the next phase, call hierarchy,
//! semantic tokens, clickable lenses, and the `graph` command.

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{bin, uri, workspace, Client};

const COMPREHENSION: &str = ".chant/specs/2026-02-08-001-a1b.md";
const ROOT_CAUSE: &str = ".chant/specs/2026-02-08-005-k9w.md";
const IMPACT: &str = ".chant/specs/2026-02-08-008-j3n.md";

fn comprehension() -> (&'static str, &'static str) {
    (
        COMPREHENSION,
        "---\ntype: research\nstatus: completed\nlabels:\n- issue-1234\n- comprehension\ninformed_by:\n- https://github.com/acme/kvstore/issues/1234\ntarget_files:\n- .chant/research/issue-1234-comprehension.md\n---\n# Comprehension: issue #1234 concurrent writes lose data\n",
    )
}

fn start(root: &Path, capabilities: Value) -> (Client, Value) {
    let (mut c, init) = Client::start(&[root], capabilities);
    c.settle(Duration::from_millis(300));
    (c, init)
}

#[test]
fn start_the_next_phase_creates_the_spec_and_opens_it() {
    let (_d, root) = workspace(&[
        comprehension(),
        (".chant/research/issue-1234-comprehension.md", "notes\n"),
        (".chant/prompts/reproduce.md", "Write a failing test.\n"),
    ]);
    let (mut c, _) = start(&root, Client::default_capabilities());
    let actions = c.code_actions(&root.join(COMPREHENSION));
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(
        titles.contains(&"Start the Reproduction spec for issue #1234")
            && titles.contains(&"Start the Upstream PR spec for issue #1234")
            && !titles.iter().any(|t| t.contains("Comprehension spec")),
        "{titles:#?}"
    );
    let action = actions
        .iter()
        .find(|a| a["title"] == "Start the Reproduction spec for issue #1234")
        .expect("the action");
    let cmd = &action["command"];
    assert_eq!(cmd["command"], "chant-lsp.startPhase");
    c.command(cmd["command"].as_str().unwrap(), cmd["arguments"].clone());

    // The editor is asked to show the new file, which exists with the phase's content.
    let shown = c
        .seen
        .iter()
        .find(|m| m["method"] == "window/showDocument")
        .unwrap_or_else(|| panic!("no showDocument in {:#?}", c.seen))
        .clone();
    let shown_uri = shown["params"]["uri"].as_str().unwrap().to_string();
    let path = shown_uri.strip_prefix("file://").expect("a file URI");
    let path = Path::new(path);
    assert!(path.starts_with(root.join(".chant/specs")), "{path:?}");
    let text = std::fs::read_to_string(path).expect("the new spec on disk");
    let id = path.file_stem().unwrap().to_string_lossy().into_owned();
    // This client does not answer showDocument with success, so it is told where it is.
    let told = c.wait_message("Created");
    assert_eq!(told, format!("Created .chant/specs/{id}.md."));
    let today = chrono_free_today_prefix(&id);
    assert!(id.starts_with(&today) && id.len() == 18, "{id}");
    for needle in [
        "type: task\n",
        "prompt: reproduce\n",
        "- issue-1234\n- reproduction\n",
        "depends_on:\n- 2026-02-08-001-a1b\n",
        "informed_by:\n- .chant/research/issue-1234-comprehension.md\n",
        "# Reproduce issue #1234: concurrent writes lose data\n",
        "- [ ] ",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
    // The editor opens it (as showDocument asked): no missing-phase-field, and the
    // action is no longer offered.
    c.open(path, &text);
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": shown_uri}, "position": {"line": text.lines().position(|l| l.starts_with("# ")).unwrap(), "character": 3}}),
    );
    let card = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(
        card.contains(&format!("`{id}`")) && card.contains("phase: Reproduction"),
        "{card}"
    );
    c.settle(Duration::from_millis(300));
    let pushed = c.diagnostics.get(&shown_uri).cloned().unwrap_or_default();
    assert!(
        !crate::support::codes(&pushed).contains(&"missing-phase-field".to_string()),
        "{pushed:#?}"
    );
    // `check` agrees: nothing at all about the new spec.
    let checked = std::process::Command::new(bin())
        .args(["check", "--format", "json"])
        .arg(&root)
        .output()
        .expect("run check");
    let report = String::from_utf8_lossy(&checked.stdout);
    assert!(!report.contains(&id), "{report}");
    let again = c.code_actions(&root.join(COMPREHENSION));
    assert!(
        !again
            .iter()
            .any(|a| a["title"] == "Start the Reproduction spec for issue #1234"),
        "{again:#?}"
    );
    // Running the same command again refuses (the phase has a spec), and writes nothing.
    let before = std::fs::read_dir(root.join(".chant/specs"))
        .unwrap()
        .count();
    c.command(cmd["command"].as_str().unwrap(), cmd["arguments"].clone());
    let msg = c.wait_message("No new spec");
    assert!(msg.contains("already has"), "{msg}");
    assert_eq!(
        std::fs::read_dir(root.join(".chant/specs"))
            .unwrap()
            .count(),
        before
    );
}

/// `YYYY-MM-DD-` of the ID's date, checked to be today or yesterday (a test run across
/// midnight) against the system clock through `date`.
fn chrono_free_today_prefix(id: &str) -> String {
    let out = std::process::Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .expect("date");
    let today = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if id.starts_with(&today) {
        format!("{today}-")
    } else {
        id.get(..11).unwrap_or("").to_string()
    }
}

fn graph_workspace() -> (tempfile::TempDir, std::path::PathBuf) {
    workspace(&[
        (
            ROOT_CAUSE,
            "---\ntype: research\nstatus: completed\nlabels: [issue-1234, root-cause]\n---\n# Root cause: issue #1234\n",
        ),
        (
            IMPACT,
            "---\ntype: research\nlabels: [issue-1234, impact-map]\ndepends_on:\n- 2026-02-08-005-k9w\n---\n# Impact map: issue #1234\nSee ünï 2026-02-08-005-k9w.\n## Acceptance Criteria\n- [x] listed\n",
        ),
        (
            ".chant/specs/2026-02-08-009-m2p.md",
            "---\nlabels: [issue-1234, fix]\ndepends_on: [2026-02-08-008-j3n]\n---\n# Fix issue #1234\n",
        ),
    ])
}

#[test]
fn call_hierarchy_over_depends_on() {
    let (_d, root) = graph_workspace();
    let (mut c, init) = start(&root, Client::default_capabilities());
    assert_eq!(init["capabilities"]["callHierarchyProvider"], true);
    let items = c.request(
        "textDocument/prepareCallHierarchy",
        json!({"textDocument": {"uri": uri(&root.join(IMPACT))}, "position": {"line": 6, "character": 4}}),
    );
    let item = &items[0];
    assert_eq!(item["name"], "Impact map: issue #1234");
    assert_eq!(item["uri"], uri(&root.join(IMPACT)));
    let incoming = c.request("callHierarchy/incomingCalls", json!({ "item": item }));
    let from = &incoming[0];
    assert_eq!(from["from"]["name"], "Fix issue #1234");
    // The dependent's `depends_on` entry, in the dependent's file.
    assert_eq!(
        from["fromRanges"][0],
        json!({"start": {"line": 2, "character": 13}, "end": {"line": 2, "character": 31}})
    );
    assert_eq!(incoming.as_array().unwrap().len(), 1);
    let outgoing = c.request("callHierarchy/outgoingCalls", json!({ "item": item }));
    assert_eq!(outgoing[0]["to"]["name"], "Root cause: issue #1234");
    assert_eq!(
        outgoing[0]["fromRanges"][0],
        json!({"start": {"line": 4, "character": 2}, "end": {"line": 4, "character": 20}})
    );
    // Walking on: the root cause depends on nothing.
    let next = c.request(
        "callHierarchy/outgoingCalls",
        json!({ "item": outgoing[0]["to"] }),
    );
    assert_eq!(next, json!([]));
}

/// Decodes `data` into `(line, start, length, type, modifiers)`.
fn decode(data: &Value) -> Vec<[u64; 5]> {
    let d: Vec<u64> = data
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let (mut line, mut start) = (0, 0);
    d.chunks(5)
        .map(|t| {
            line += t[0];
            start = if t[0] == 0 { start + t[1] } else { t[1] };
            [line, start, t[2], t[3], t[4]]
        })
        .collect()
}

#[test]
fn semantic_tokens_full_in_both_encodings() {
    let (_d, root) = graph_workspace();
    let mut per_encoding = Vec::new();
    for enc in ["utf-16", "utf-8"] {
        let mut caps = Client::default_capabilities();
        caps["general"] = json!({"positionEncodings": [enc]});
        let (mut c, init) = start(&root, caps);
        let legend = &init["capabilities"]["semanticTokensProvider"]["legend"];
        assert_eq!(
            legend["tokenTypes"],
            json!(["variable", "enumMember", "keyword"])
        );
        assert_eq!(
            init["capabilities"]["semanticTokensProvider"]["range"],
            true
        );
        let full = c.request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri(&root.join(IMPACT))}}),
        );
        per_encoding.push(decode(&full["data"]));
        let range = c.request(
            "textDocument/semanticTokens/range",
            json!({"textDocument": {"uri": uri(&root.join(IMPACT))}, "range": {"start": {"line": 7, "character": 0}, "end": {"line": 8, "character": 0}}}),
        );
        assert_eq!(decode(&range["data"]).len(), 1, "{range}");
    }
    // type value, the dependency, the ID in prose (after `ünï`), the checkbox.
    let resolved = 1;
    let checked = 8;
    assert_eq!(
        per_encoding[0],
        [
            [1, 6, 8, 1, 0],
            [4, 2, 18, 0, resolved],
            [7, 8, 18, 0, resolved],
            [9, 2, 3, 2, checked],
        ]
    );
    // In UTF-8 the prose ID starts 3 bytes later (ü, n, ï: 2 + 1 + 2 bytes vs 3 units).
    assert_eq!(per_encoding[1][2], [7, 10, 18, 0, resolved]);
}

#[test]
fn lenses_open_the_references_view_where_the_client_has_one() {
    let (_d, root) = graph_workspace();
    let mut caps = Client::default_capabilities();
    caps["__initializationOptions"] =
        json!({"showReferencesCommand": "editor.action.showReferences"});
    let (mut c, _) = start(&root, caps);
    let lenses = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri(&root.join(IMPACT))}}),
    );
    let titles: Vec<&str> = lenses
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["command"]["title"].as_str())
        .collect();
    assert!(
        titles.contains(&"Issue #1234: 1 of 6 phases done"),
        "{titles:?}"
    );
    let dependents = lenses
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["command"]["title"] == "1 dependent")
        .expect("the dependents lens");
    let cmd = &dependents["command"];
    assert_eq!(cmd["command"], "editor.action.showReferences");
    assert_eq!(cmd["arguments"][0], uri(&root.join(IMPACT)));
    assert_eq!(cmd["arguments"][1], json!({"line": 6, "character": 0}));
    assert_eq!(
        cmd["arguments"][2][0]["uri"],
        uri(&root.join(".chant/specs/2026-02-08-009-m2p.md"))
    );
    // Without such a command the lens stays a label.
    let (mut plain, _) = start(&root, Client::default_capabilities());
    let lenses = plain.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri(&root.join(IMPACT))}}),
    );
    assert!(lenses
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["command"]["command"] == ""
            && l["command"].get("arguments").is_none_or(Value::is_null)));
}

/// The Mermaid block in docs/investigation.md is what the command prints for the demo.
#[test]
fn the_docs_graph_is_the_commands_output() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new(bin())
        .args(["graph", "examples/kvstore", "--issue", "1234"])
        .current_dir(&repo)
        .output()
        .expect("run graph");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    let doc = std::fs::read_to_string(repo.join("docs/investigation.md")).unwrap();
    let block = doc
        .split_once("```mermaid\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(b, _)| b)
        .expect("a mermaid block in docs/investigation.md");
    assert_eq!(
        block, printed,
        "regenerate: chant-lsp graph examples/kvstore --issue 1234"
    );
    let dot = std::process::Command::new(bin())
        .args(["graph", "examples/kvstore", "--format", "dot"])
        .current_dir(&repo)
        .output()
        .expect("run graph");
    assert!(String::from_utf8_lossy(&dot.stdout).starts_with("digraph chant {"));
    // Usage errors exit 2 with the reason.
    let bad = std::process::Command::new(bin())
        .args(["graph", "examples/kvstore", "--issue", "99"])
        .current_dir(&repo)
        .output()
        .expect("run graph");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("issue #99"));
}
