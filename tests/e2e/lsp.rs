use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{codes, find, range, uri, workspace, Client};

const A: &str = "---\ntype: code\nstatus: completed\n---\n# Spec A\n";
const B: &str =
    "---\ntype: code\nstatus: pending\ndepends_on:\n- 2026-03-01-001-aaa\n---\n# Spec B\n";

#[test]
fn initialize_answers_and_advertises_what_works() {
    let (_d, root) = workspace(&[]);
    let (c, init) = Client::start(&[&root], Client::default_capabilities());
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!([
            "quickfix",
            "refactor.chant.archive",
            "refactor.chant.archiveAnyway",
            "refactor.chant.archiveInvestigation",
            "refactor.chant.draftPr",
            "refactor.chant.submitPr",
            "refactor.chant.updatePr",
            "refactor.chant.refreshPr",
            "refactor.chant.openPr",
            "refactor.chant.startPhase",
            "refactor.chant.confirm"
        ])
    );
    for cap in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "inlayHintProvider",
        "foldingRangeProvider",
        "callHierarchyProvider",
    ] {
        assert_eq!(caps[cap], true, "{cap}");
    }
    assert_eq!(caps["semanticTokensProvider"]["full"], true);
    assert!(
        caps.get("renameProvider").is_none(),
        "this client cannot apply file renames"
    );
    assert_eq!(
        caps["workspace"]["fileOperations"]["willRename"]["filters"][0]["pattern"]["glob"],
        "**/.chant/{specs,archive}/**/*.md"
    );
    // Only what is implemented is advertised.
    for absent in ["signatureHelpProvider", "documentFormattingProvider"] {
        assert!(caps.get(absent).is_none_or(|v| v.is_null()), "{absent}");
    }
    assert_eq!(
        caps["executeCommandProvider"]["commands"],
        json!([
            "chant-lsp.archive",
            "chant-lsp.archiveAnyway",
            "chant-lsp.archiveInvestigation",
            "chant-lsp.draftPr",
            "chant-lsp.submitPr",
            "chant-lsp.updatePr",
            "chant-lsp.refreshPr",
            "chant-lsp.openPr",
            "chant-lsp.startPhase",
            "chant-lsp.confirm"
        ])
    );
    assert_eq!(init["serverInfo"]["name"], "chant-lsp");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn diagnostics_for_every_spec_without_opening_them() {
    let (_d, root) = workspace(&[
        (".chant/specs/2026-03-01-001-aaa.md", A),
        (".chant/specs/2026-03-01-002-bbb.md", "---\nstatus: Completed\ndepends_on: [2026-03-01-001-aaa, 2026-03-01-099-zzz, 001-aaa]\n---\n# B\n"),
    ]);
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    let d = c.wait_diagnostics(&b, |d| !d.is_empty());
    let mut got = codes(&d);
    got.sort();
    assert_eq!(
        got,
        [
            "inexact-dependency-id",
            "invalid-value",
            "parse-error",
            "unknown-dependency"
        ]
    );
    // Exact ranges: the value `Completed` on line 1, the unknown ID in the flow list.
    assert_eq!(range(find(&d, "invalid-value")), [[1, 8], [1, 17]]);
    assert_eq!(range(find(&d, "unknown-dependency")), [[2, 33], [2, 51]]);
    assert_eq!(range(find(&d, "inexact-dependency-id")), [[2, 53], [2, 60]]);
    assert!(find(&d, "invalid-value")["message"]
        .as_str()
        .unwrap()
        .contains("did you mean `completed`"));
    assert_eq!(find(&d, "invalid-value")["severity"], 1);
    // The clean spec gets nothing at all.
    assert!(!c
        .diagnostics
        .contains_key(&uri(&root.join(".chant/specs/2026-03-01-001-aaa.md"))));
    // Indexing reported progress through the protocol.
    assert!(c
        .seen
        .iter()
        .any(|m| m["method"] == "window/workDoneProgress/create"));
    // The progress ends on its own task: it may arrive just after the diagnostics.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !c
        .seen
        .iter()
        .any(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "indexing progress never ended"
        );
        c.settle(Duration::from_millis(50));
    }
    assert!(c
        .seen
        .iter()
        .any(|m| m["method"] == "client/registerCapability"
            && m["params"]["registrations"][0]["method"] == "workspace/didChangeWatchedFiles"));
}

#[test]
fn did_change_updates_then_clears() {
    let (_d, root) = workspace(&[(".chant/specs/2026-03-01-001-aaa.md", A)]);
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let a = root.join(".chant/specs/2026-03-01-001-aaa.md");
    c.open(&a, A);
    // Incremental edit: `completed` -> `complete` (delete one char on line 2).
    c.change(&a, 2, json!([{"range": {"start": {"line": 2, "character": 16}, "end": {"line": 2, "character": 17}}, "text": ""}]));
    let d = c.wait_diagnostics(&a, |d| codes(d).contains(&"invalid-value".to_string()));
    assert_eq!(range(find(&d, "invalid-value")), [[2, 8], [2, 16]]);
    // Put it back: diagnostics are cleared with an empty list.
    c.change(&a, 3, json!([{"range": {"start": {"line": 2, "character": 16}, "end": {"line": 2, "character": 16}}, "text": "d"}]));
    c.wait_diagnostics(&a, |d| d.is_empty());
    // Typing in the body: a title removed gives missing-title on the open buffer.
    c.change(&a, 4, json!([{"range": {"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": 2}}, "text": ""}]));
    c.wait_diagnostics(&a, |d| codes(d) == ["missing-title"]);
}

#[test]
fn a_change_rechecks_the_specs_that_depend_on_it() {
    let (_d, root) = workspace(&[
        (".chant/specs/2026-03-01-001-aaa.md", A),
        (".chant/specs/2026-03-01-002-bbb.md", B),
    ]);
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let a = root.join(".chant/specs/2026-03-01-001-aaa.md");
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    c.open(&a, A);
    c.settle(Duration::from_millis(300));
    assert!(!c.diagnostics.contains_key(&uri(&b)));
    // Breaking A's frontmatter makes B's dependency one chant cannot load.
    c.change(&a, 2, json!([{"range": {"start": {"line": 1, "character": 6}, "end": {"line": 1, "character": 10}}, "text": "docs"}]));
    let d = c.wait_diagnostics(&b, |d| !d.is_empty());
    assert_eq!(codes(&d), ["unparsable-dependency"]);
    assert_eq!(range(&d[0]), [[4, 2], [4, 20]]);
    assert!(d[0]["relatedInformation"][0]["location"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("2026-03-01-001-aaa.md"));
    // Closing A without saving: the disk's valid text counts again.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&a)}}),
    );
    c.wait_diagnostics(&b, |d| d.is_empty());
}

#[test]
fn files_changed_on_disk_are_picked_up() {
    let (_d, root) = workspace(&[(".chant/specs/2026-03-01-002-bbb.md", B)]);
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let a = root.join(".chant/specs/2026-03-01-001-aaa.md");
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    let d = c.wait_diagnostics(&b, |d| !d.is_empty());
    assert_eq!(codes(&d), ["unknown-dependency"]);
    // An agent creates the dependency.
    std::fs::write(&a, A).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&a), "type": 1}]}),
    );
    c.wait_diagnostics(&b, |d| d.is_empty());
    // chant archives it: a rename is a delete plus a create.
    let archived = root.join(".chant/archive/2026-03-01/2026-03-01-001-aaa.md");
    std::fs::create_dir_all(archived.parent().unwrap()).unwrap();
    std::fs::rename(&a, &archived).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&a), "type": 3}, {"uri": uri(&archived), "type": 1}]}),
    );
    let d = c.wait_diagnostics(&b, |d| !d.is_empty());
    assert_eq!(codes(&d), ["archived-dependency"]);
    assert_eq!(d[0]["severity"], 4, "a hint, never an error");
    // Deleted outright: unknown again.
    std::fs::remove_file(&archived).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&archived), "type": 3}]}),
    );
    c.wait_diagnostics(&b, |d| codes(d) == ["unknown-dependency"]);
    // A spec deleted on disk has its own diagnostics cleared.
    std::fs::remove_file(&b).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&b), "type": 3}]}),
    );
    c.wait_diagnostics(&b, |d| d.is_empty());
}

#[test]
fn quick_fixes_come_as_code_actions() {
    let text = "---\nstatus: Completed\ndepends_on: [001-aaa]\n---\n# B\n";
    let (_d, root) = workspace(&[
        (".chant/specs/2026-03-01-001-aaa.md", A),
        (".chant/specs/2026-03-01-002-bbb.md", text),
    ]);
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    c.open(&b, text);
    let d = c.wait_diagnostics(&b, |d| {
        codes(d).contains(&"inexact-dependency-id".to_string())
    });
    let fix_at = |c: &mut Client, line: u64, ch: u64| {
        c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri(&b)}, "range": {"start": {"line": line, "character": ch}, "end": {"line": line, "character": ch}}, "context": {"diagnostics": []}}),
        )
    };
    let actions = fix_at(&mut c, 1, 10);
    assert_eq!(actions[0]["title"], "Change to `completed`");
    assert_eq!(actions[0]["kind"], "quickfix");
    let edit = &actions[0]["edit"]["changes"][uri(&b)][0];
    assert_eq!(edit["newText"], "completed");
    assert_eq!(edit["range"]["start"], json!({"line": 1, "character": 8}));
    assert_eq!(actions[0]["diagnostics"][0]["code"], "invalid-value");
    let actions = fix_at(&mut c, 2, 15);
    assert_eq!(actions[0]["title"], "Use the full ID `2026-03-01-001-aaa`");
    assert_eq!(
        actions[0]["edit"]["changes"][uri(&b)][0]["newText"],
        "2026-03-01-001-aaa"
    );
    assert_eq!(range(find(&d, "inexact-dependency-id")), [[2, 13], [2, 20]]);
}

/// VS Code asks for `only: ["quickfix"]` (Ctrl+. when nothing at the cursor is a fix, the
/// problem hover) and drops any other kind it gets; without `only` (Ctrl+., the lightbulb,
/// Neovim, Helix) every action comes, none of them `source` (which Ctrl+. leaves out), the
/// fixes first and "anyway" last.
#[test]
fn code_actions_honour_only_and_put_fixes_first() {
    let fix = "---\ntype: code\nstatus: completed\nlabels: [issue-9, fix]\nbranch: fix-9\n---\n# Fix issue #9: x\n";
    let upr = "---\ntype: task\nstatus: Pending\nlabels: [issue-9, upstream-pr]\ndepends_on: [2026-03-01-005-fix]\n---\n# Upstream PR for #9\n";
    let (_d, root) = workspace(&[
        (".chant/specs/2026-03-01-005-fix.md", fix),
        (".chant/specs/2026-03-01-006-upr.md", upr),
    ]);
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let p = root.join(".chant/specs/2026-03-01-006-upr.md");
    c.open(&p, upr);
    let d = c.wait_diagnostics(&p, |d| {
        codes(d).contains(&"invalid-value".to_string())
            && codes(d).contains(&"pr-body-missing".to_string())
    });
    let ask = |c: &mut Client, only: Option<Value>| {
        let mut context = json!({"diagnostics": [find(&d, "invalid-value")]});
        if let Some(only) = only {
            context["only"] = only;
        }
        let actions = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri(&p)}, "range": {"start": {"line": 2, "character": 10}, "end": {"line": 2, "character": 10}}, "context": context}),
        );
        actions
            .as_array()
            .unwrap_or_else(|| panic!("{actions}"))
            .iter()
            .map(|a| {
                let kind = a["kind"].as_str().unwrap_or("(none)").to_string();
                (kind, a["title"].as_str().unwrap_or_default().to_string())
            })
            .collect::<Vec<_>>()
    };
    let fixes = ask(&mut c, Some(json!(["quickfix"])));
    assert_eq!(
        fixes,
        [
            ("quickfix".into(), "Change to `pending`".into()),
            ("quickfix".into(), "Draft upstream PR body".into()),
        ],
        "the fix, and drafting as the fix for pr-body-missing"
    );
    let all = ask(&mut c, None);
    assert_eq!(all[..2], fixes[..], "{all:#?}");
    let kinds: Vec<&str> = all.iter().map(|(k, _)| k.as_str()).collect();
    assert!(
        kinds
            .iter()
            .all(|k| *k == "quickfix" || k.starts_with("refactor.chant.")),
        "{all:#?}"
    );
    let titles: Vec<&str> = all.iter().map(|(_, t)| t.as_str()).collect();
    assert!(titles.contains(&"Submit upstream PR…"), "{titles:#?}");
    assert_eq!(
        titles.last(),
        Some(&"Archive spec 2026-03-01-006-upr anyway (it is Pending)…"),
        "{titles:#?}"
    );
    assert!(
        ask(&mut c, Some(json!(["source"]))).is_empty(),
        "no source actions"
    );
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let text =
        "---\nlabels: [é, ü]\nstatus: bogus\n---\n# Ünïcode title with é\nsee 2026-03-01-009-zzz\n";
    let (_d, root) = workspace(&[(".chant/specs/2026-03-01-001-aaa.md", text)]);
    let mut caps = Client::default_capabilities();
    caps["general"] = json!({"positionEncodings": ["utf-8", "utf-16"]});
    let (mut c, init) = Client::start(&[&root], caps);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    let a = root.join(".chant/specs/2026-03-01-001-aaa.md");
    c.open(&a, text);
    // An edit in UTF-8 columns after two 2-byte characters: replace `ü` (bytes 13..15).
    c.change(&a, 2, json!([{"range": {"start": {"line": 1, "character": 13}, "end": {"line": 1, "character": 15}}, "text": "x"}]));
    c.change(&a, 3, json!([{"range": {"start": {"line": 2, "character": 8}, "end": {"line": 2, "character": 13}}, "text": "pending"}]));
    c.wait_diagnostics(&a, |d| codes(d) == ["id-in-body"]);
    // Verify the server's text by breaking the label we rewrote: `x` became a mapping.
    c.change(&a, 4, json!([{"range": {"start": {"line": 1, "character": 13}, "end": {"line": 1, "character": 14}}, "text": "{k: v}"}]));
    let d = c.wait_diagnostics(&a, |d| codes(d).contains(&"invalid-value".to_string()));
    assert_eq!(range(find(&d, "invalid-value")), [[1, 13], [1, 19]]);
}

#[test]
fn a_spec_opened_outside_the_workspace_folders_finds_its_root() {
    let (_d, root) = workspace(&[(".chant/specs/2026-03-01-002-bbb.md", B)]);
    let (mut c, _) = Client::start(&[], Client::default_capabilities());
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    c.open(&b, B);
    let d = c.wait_diagnostics(&b, |d| !d.is_empty());
    assert_eq!(codes(&d), ["unknown-dependency"]);
}

#[test]
fn other_markdown_is_left_alone() {
    let (_d, root) = workspace(&[
        ("README.md", "no title here\n"),
        ("notes/.chant-not/x.md", ""),
    ]);
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let readme = root.join("README.md");
    c.open(&readme, "no title here\n");
    c.change(&readme, 2, json!([{"text": "still nothing"}]));
    c.settle(Duration::from_millis(300));
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn a_broken_spec_does_not_hide_the_others() {
    let (_d, root) = workspace(&[
        (
            ".chant/specs/2026-03-01-001-aaa.md",
            "---\ntype: [unclosed\n---\n# A\n",
        ),
        (
            ".chant/specs/2026-03-01-002-bbb.md",
            "\u{0}\u{1}binary\u{fffd}",
        ),
        (
            ".chant/specs/2026-03-01-003-ccc.md",
            "---\nstatus: nope\n---\n# C\n",
        ),
    ]);
    std::fs::write(
        root.join(".chant/specs/2026-03-01-004-ddd.md"),
        [0xff, 0xfe, 0x00, 0x41],
    )
    .unwrap();
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let spec = |n: &str| root.join(format!(".chant/specs/2026-03-01-{n}.md"));
    let d = c.wait_diagnostics(&spec("001-aaa"), |d| !d.is_empty());
    assert!(codes(&d).contains(&"yaml-syntax".to_string()), "{d:?}");
    let d = c.wait_diagnostics(&spec("003-ccc"), |d| !d.is_empty());
    assert!(codes(&d).contains(&"invalid-value".to_string()));
    let d = c.wait_diagnostics(&spec("004-ddd"), |d| !d.is_empty());
    assert_eq!(codes(&d), ["unreadable-file"]);
    assert!(d[0]["message"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn several_roots_from_several_folders() {
    let (_d1, one) = workspace(&[(".chant/specs/2026-03-01-002-bbb.md", B)]);
    // A monorepo folder: the `.chant/` roots sit in project subdirectories.
    let (_d2, mono) = workspace(&[(
        "svc/api/.chant/specs/2026-03-02-001-xyz.md",
        "---\nstatus: done\n---\n# X\n",
    )]);
    std::fs::remove_dir_all(mono.join(".chant")).unwrap();
    let (mut c, _) = Client::start(&[&one, &mono], Client::default_capabilities());
    let d = c.wait_diagnostics(&one.join(".chant/specs/2026-03-01-002-bbb.md"), |d| {
        !d.is_empty()
    });
    assert_eq!(codes(&d), ["unknown-dependency"]);
    let x = mono.join("svc/api/.chant/specs/2026-03-02-001-xyz.md");
    let d = c.wait_diagnostics(&x, |d| !d.is_empty());
    assert!(codes(&d).contains(&"invalid-value".to_string()));
    // Removing the folder clears its diagnostics.
    c.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": [{"uri": uri(&mono), "name": "mono"}]}}),
    );
    c.wait_diagnostics(&x, |d| d.is_empty());
}

#[test]
fn the_editor_can_switch_codes_off() {
    let (_d, root) = workspace(&[(
        ".chant/specs/2026-03-01-001-aaa.md",
        "---\ntype: documentation\n---\n# Doc\n",
    )]);
    let mut caps = Client::default_capabilities();
    caps["__initializationOptions"] = json!({"disable": ["doc-missing-tracks"]});
    let (mut c, _) = Client::start(&[&root], caps);
    let d = c.wait_diagnostics(&root.join(".chant/specs/2026-03-01-001-aaa.md"), |d| {
        !d.is_empty()
    });
    assert_eq!(
        codes(&d),
        ["doc-missing-target-files"],
        "doc-missing-tracks is switched off"
    );
}
