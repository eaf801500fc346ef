//! Navigation over stdio: hover, definition, references, completion, rename.

use serde_json::{json, Value};

use crate::support::{uri, workspace, Client};

const A: &str = "---\nstatus: completed\nlabels: [issue-9, comprehension]\n---\n# Comprehension: issue #9 ünïcode\n";
const B: &str = "---\nlabels: [issue-9, root-cause]\ndepends_on:\n- 2026-03-01-001-aaa\n---\n# Root cause of #9\nSee 2026-03-01-001-aaa.\n";

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn at(path: &std::path::Path, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri(path)}, "position": pos(line, character)})
}

fn setup(caps: Value) -> (tempfile::TempDir, std::path::PathBuf, Client) {
    let (d, root) = workspace(&[
        (".chant/specs/2026-03-01-001-aaa.md", A),
        (".chant/specs/2026-03-01-002-bbb.md", B),
    ]);
    let (mut c, _) = Client::start(&[&root], caps);
    // Wait until indexing is done: B's hover needs A.
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    c.open(&b, B);
    let indexed = (0..500).any(|_| {
        let ready = !c.request("textDocument/hover", at(&b, 3, 5)).is_null();
        if !ready {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        ready
    });
    assert!(indexed, "the workspace was never indexed");
    (d, root, c)
}

#[test]
fn hover_definition_and_references() {
    let (_d, root, mut c) = setup(Client::default_capabilities());
    let a = root.join(".chant/specs/2026-03-01-001-aaa.md");
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    let h = c.request("textDocument/hover", at(&b, 3, 5));
    assert_eq!(h["contents"]["kind"], "markdown");
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(
        text.starts_with("**Comprehension: issue #9 ünïcode**"),
        "{text}"
    );
    assert!(
        text.contains("`2026-03-01-001-aaa` · completed · code · phase: Comprehension"),
        "{text}"
    );
    assert_eq!(h["range"], json!({"start": pos(3, 2), "end": pos(3, 20)}));
    let d = c.request("textDocument/definition", at(&b, 3, 10));
    assert_eq!(d["uri"], uri(&a));
    assert_eq!(d["range"]["start"], pos(4, 0));
    // Title hover of A lists B as a dependent; references from A's title find both uses.
    let h = c.request("textDocument/hover", at(&a, 4, 3));
    assert!(h["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("**Depended on by** (1)"));
    let refs = c.request("textDocument/references", json!({"textDocument": {"uri": uri(&a)}, "position": pos(4, 3), "context": {"includeDeclaration": false}}));
    let got: Vec<(String, Value)> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["uri"].as_str().unwrap().to_string(),
                r["range"]["start"].clone(),
            )
        })
        .collect();
    assert_eq!(got, [(uri(&b), pos(3, 2)), (uri(&b), pos(6, 4))]);
}

#[test]
fn completion_offers_specs_keys_and_values() {
    let (_d, root, mut c) = setup(Client::default_capabilities());
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    // A new list item under depends_on: A is already listed, B is the spec itself.
    c.change(
        &b,
        2,
        json!([{"range": {"start": pos(3, 20), "end": pos(3, 20)}, "text": "\n- "}]),
    );
    let r = c.request("textDocument/completion", at(&b, 4, 2));
    assert_eq!(r["items"], json!([]), "nothing left to depend on");
    // Keys: `sta` completes to status with its documentation.
    c.change(
        &b,
        3,
        json!([{"range": {"start": pos(4, 0), "end": pos(4, 2)}, "text": "sta"}]),
    );
    let r = c.request("textDocument/completion", at(&b, 4, 3));
    let item = &r["items"][0];
    assert_eq!(item["label"], "status");
    assert_eq!(
        item["textEdit"],
        json!({"range": {"start": pos(4, 0), "end": pos(4, 3)}, "newText": "status: "})
    );
    assert!(item["documentation"]["value"]
        .as_str()
        .unwrap()
        .contains("`in_progress`"));
    c.change(
        &b,
        4,
        json!([{"range": {"start": pos(4, 0), "end": pos(4, 3)}, "text": "status: in"}]),
    );
    let r = c.request("textDocument/completion", at(&b, 4, 10));
    let labels: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"in_progress"), "{labels:?}");
}

fn rename_caps() -> Value {
    let mut caps = Client::default_capabilities();
    caps["workspace"]["workspaceEdit"] =
        json!({"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]});
    caps
}

#[test]
fn rename_is_one_edit_with_the_file_move() {
    let (_d, root, mut c) = setup(rename_caps());
    // (The capability itself is checked in `rename_caps_are_negotiated`.)
    let a = root.join(".chant/specs/2026-03-01-001-aaa.md");
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    let prep = c.request("textDocument/prepareRename", at(&b, 3, 5));
    assert_eq!(prep["placeholder"], "2026-03-01-001-aaa");
    let edit = c.request("textDocument/rename", json!({"textDocument": {"uri": uri(&b)}, "position": pos(3, 5), "newName": "2026-03-01-001-zzz"}));
    let ops = edit["documentChanges"].as_array().unwrap();
    assert_eq!(ops.len(), 2, "{ops:#?}");
    assert_eq!(
        ops[0]["textDocument"],
        json!({"uri": uri(&b), "version": 1}),
        "versioned: B is open"
    );
    let new_texts: Vec<&str> = ops[0]["edits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["newText"].as_str().unwrap())
        .collect();
    assert_eq!(new_texts, ["2026-03-01-001-zzz", "2026-03-01-001-zzz"]);
    assert_eq!(
        ops[1],
        json!({"kind": "rename", "oldUri": uri(&a), "newUri": uri(&root.join(".chant/specs/2026-03-01-001-zzz.md")), "options": {"overwrite": false, "ignoreIfExists": false}})
    );
    // Renaming onto an existing ID is refused with a reason.
    let err = c.request_raw("textDocument/rename", json!({"textDocument": {"uri": uri(&b)}, "position": pos(3, 5), "newName": "2026-03-01-002-bbb"}));
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{err}"
    );
}

#[test]
fn rename_is_refused_when_the_editor_cannot_move_files() {
    let (_d, root, mut c) = setup(Client::default_capabilities());
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    let err = c.request_raw(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri(&b)}, "position": pos(3, 5), "newName": "x"}),
    );
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot apply file renames"),
        "{err}"
    );
}

#[test]
fn an_editor_rename_of_a_spec_file_updates_references() {
    let (_d, root, mut c) = setup(Client::default_capabilities());
    let a = root.join(".chant/specs/2026-03-01-001-aaa.md");
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    let edit = c.request(
        "workspace/willRenameFiles",
        json!({"files": [{"oldUri": uri(&a), "newUri": uri(&root.join(".chant/specs/2026-03-01-001-new.md"))}]}),
    );
    let edits = edit["changes"][uri(&b)].as_array().unwrap();
    assert_eq!(edits.len(), 2);
    assert!(edits.iter().all(|e| e["newText"] == "2026-03-01-001-new"));
}

#[test]
fn rename_caps_are_negotiated() {
    let (_d, root) = workspace(&[]);
    let (_c, init) = Client::start(&[&root], rename_caps());
    assert_eq!(
        init["capabilities"]["renameProvider"]["prepareProvider"],
        true
    );
    let (_c, init) = Client::start(&[&root], Client::default_capabilities());
    assert!(init["capabilities"].get("renameProvider").is_none());
}
