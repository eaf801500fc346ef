//! The server stays live: it sees the disk by itself for clients that watch nothing,
//! republishes on reopen, and keeps answering while dialogs wait for the person.

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{codes, uri, workspace, Client};

const A: &str = "---\ntype: code\nstatus: pending\n---\n# Spec A\n";
const B: &str = "---\ntype: code\nstatus: pending\nprompt: foo\n---\n# Spec B\n";

/// Neovim 0.11 on Linux: no dynamic registration for watched files.
fn neovim() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-8", "utf-16", "utf-32"]},
        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": false}, "workspaceFolders": true, "applyEdit": true},
        "window": {"workDoneProgress": true, "showMessage": {}},
    })
}

/// Helix 25.07: registers for watched files, but reports only the files it saved.
fn helix() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-8", "utf-32", "utf-16"]},
        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true, "relativePatternSupport": false}, "workspaceFolders": true, "applyEdit": true},
        "window": {"workDoneProgress": true},
        "__clientInfo": {"name": "helix", "version": "25.07.1"},
    })
}

fn sees_the_disk_without_being_told(capabilities: Value) {
    let (_d, root) = workspace(&[
        (".chant/specs/2026-03-01-001-aaa.md", A),
        (".chant/specs/2026-03-01-002-bbb.md", B),
    ]);
    let (mut c, _) = Client::start(&[&root], capabilities);
    let a = root.join(".chant/specs/2026-03-01-001-aaa.md");
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    c.wait_diagnostics(&b, |d| codes(d).contains(&"missing-file".to_string()));
    assert!(
        !c.seen
            .iter()
            .any(|m| m["method"] == "client/registerCapability"),
        "the server watches by itself and asks the client for nothing"
    );

    // An agent writes a new spec with an unknown dependency.
    let new = root.join(".chant/specs/2026-03-01-003-ccc.md");
    std::fs::write(
        &new,
        "---\ntype: code\nstatus: pending\ndepends_on:\n- 2026-03-01-099-zzz\n---\n# New\n",
    )
    .unwrap();
    c.wait_diagnostics(&new, |d| {
        codes(d).contains(&"unknown-dependency".to_string())
    });

    // chant rewrites a spec with a bad status.
    std::fs::write(&a, A.replace("pending", "bogus")).unwrap();
    c.wait_diagnostics(&a, |d| codes(d).contains(&"invalid-value".to_string()));

    // The prompt file appears.
    std::fs::create_dir_all(root.join(".chant/prompts")).unwrap();
    std::fs::write(root.join(".chant/prompts/foo.md"), "Do it.\n").unwrap();
    c.wait_diagnostics(&b, |d| !codes(d).contains(&"missing-file".to_string()));

    // A burst of 100 writes is seen whole.
    for n in 0..100 {
        std::fs::write(
            root.join(format!(".chant/specs/2026-03-02-{n:03}-bur.md")),
            "---\nstatus: nope\n---\n# Burst\n",
        )
        .unwrap();
    }
    let last = root.join(".chant/specs/2026-03-02-099-bur.md");
    c.wait_diagnostics(&last, |d| codes(d).contains(&"invalid-value".to_string()));
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn a_neovim_client_sees_changes_on_disk() {
    sees_the_disk_without_being_told(neovim());
}

#[test]
fn a_helix_client_sees_changes_on_disk() {
    sees_the_disk_without_being_told(helix());
}

#[test]
fn a_reopened_spec_gets_its_diagnostics_again() {
    let text = A.replace("pending", "bogus");
    let (_d, root) = workspace(&[(".chant/specs/2026-03-01-001-aaa.md", &text)]);
    let (mut c, _) = Client::start(&[&root], neovim());
    let a = root.join(".chant/specs/2026-03-01-001-aaa.md");
    c.wait_diagnostics(&a, |d| !d.is_empty());
    for round in 0..2 {
        c.open(&a, &text);
        c.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri(&a)}}),
        );
        // Neovim dropped the buffer's diagnostics on `:bd`; the next open must bring them.
        c.diagnostics.remove(&uri(&a));
        c.open(&a, &text);
        let d = c.wait_diagnostics(&a, |d| !d.is_empty());
        assert!(
            codes(&d).contains(&"invalid-value".to_string()),
            "round {round}: {d:?}"
        );
        c.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri(&a)}}),
        );
    }
}

fn completed(id: &str, title: &str) -> (String, String) {
    (
        format!(".chant/specs/{id}.md"),
        format!("---\ntype: code\nstatus: completed\nlabels: [issue-77, fix]\n---\n# {title}\n"),
    )
}

#[test]
fn unanswered_dialogs_hold_no_request_slot() {
    let files = [
        completed("2026-03-01-001-aaa", "Fix issue #77: one"),
        completed("2026-03-01-002-bbb", "Fix issue #77: two"),
        (
            ".chant/specs/2026-03-01-003-ccc.md".to_string(),
            A.to_string(),
        ),
    ];
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (_d, root) = workspace(&refs);
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    c.responders.insert(
        "window/showMessageRequest".into(),
        Box::new(|_| json!({"__never": true})),
    );
    let spec = root.join(".chant/specs/2026-03-01-001-aaa.md");
    let other = root.join(".chant/specs/2026-03-01-003-ccc.md");
    c.settle(Duration::from_millis(300));
    // Six dialogs nobody answers: more than tower-lsp-server's four request slots.
    for _ in 0..6 {
        c.command_started("chant-lsp.archiveInvestigation", json!([uri(&spec)]));
    }
    // The server still takes edits, answers hovers and publishes.
    c.open(&other, A);
    c.change(
        &other,
        2,
        json!([{"range": {"start": {"line": 2, "character": 8}, "end": {"line": 2, "character": 15}}, "text": "bogus"}]),
    );
    c.wait_diagnostics(&other, |d| codes(d).contains(&"invalid-value".to_string()));
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&other)}, "position": {"line": 1, "character": 1}}),
    );
    assert!(hover.is_object(), "{hover}");
    let dialogs = c
        .seen
        .iter()
        .filter(|m| m["method"] == "window/showMessageRequest")
        .count();
    assert_eq!(dialogs, 6, "every run asked");
    assert!(
        Path::new(&spec).exists(),
        "nothing archived without an answer"
    );
}

/// A URI with `..`, or one through a symlinked folder, names the same spec: no phantom
/// second spec (`duplicate-id`), and diagnostics come back under the client's spelling.
#[test]
fn one_file_is_one_spec_however_it_is_named() {
    let (_d, root) = workspace(&[
        (".chant/specs/2026-03-01-001-aaa.md", A),
        (".chant/specs/2026-03-01-002-bbb.md", A),
    ]);
    let outside = tempfile::tempdir().unwrap();
    let alias = outside.path().join("alias");
    std::os::unix::fs::symlink(&root, &alias).unwrap();

    let (mut c, _) = Client::start(&[&alias], neovim());
    let via_alias = alias.join(".chant/specs/2026-03-01-001-aaa.md");
    let dotted = alias.join(".chant/specs/../specs/2026-03-01-001-aaa.md");
    let bogus = A.replace("pending", "bogus");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&dotted), "languageId": "markdown", "version": 1, "text": bogus}}),
    );
    let d = c.wait_diagnostics(&via_alias, |d| {
        codes(d).contains(&"invalid-value".to_string())
    });
    assert!(!codes(&d).contains(&"duplicate-id".to_string()), "{d:?}");
    c.open(&via_alias, &bogus);
    c.settle(Duration::from_millis(300));
    for (u, diags) in &c.diagnostics {
        assert!(
            !codes(diags).contains(&"duplicate-id".to_string()),
            "{u}: {diags:?}"
        );
        assert!(
            u.starts_with(&uri(&alias)),
            "published under the client's spelling: {u}"
        );
    }
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&dotted)}, "position": {"line": 4, "character": 3}}),
    );
    assert!(hover.is_object(), "{hover}");
}

/// A client that pulls (and takes refreshes) gets no pushes; what it pulls equals what a
/// push client is sent; unchanged reports carry the same result ID; a change on disk asks
/// it to pull again.
#[test]
fn pull_clients_pull_and_push_clients_are_pushed() {
    let bogus = A.replace("pending", "bogus");
    let (_d, root) = workspace(&[
        (".chant/specs/2026-03-01-001-aaa.md", bogus.as_str()),
        (".chant/specs/2026-03-01-002-bbb.md", B),
    ]);
    let a = root.join(".chant/specs/2026-03-01-001-aaa.md");
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    let (mut push, _) = Client::start(&[&root], neovim());
    let pushed_a = push.wait_diagnostics(&a, |d| !d.is_empty());
    let pushed_b = push.wait_diagnostics(&b, |d| !d.is_empty());

    let mut caps = neovim();
    caps["textDocument"] = json!({"diagnostic": {"dynamicRegistration": false}});
    caps["workspace"]["diagnostics"] = json!({"refreshSupport": true});
    let (mut pull, init) = Client::start(&[&root], caps);
    assert_eq!(
        init["capabilities"]["diagnosticProvider"]["workspaceDiagnostics"],
        true
    );
    pull.open(&a, &bogus);
    let report = pull.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri(&a)}}),
    );
    assert_eq!(report["kind"], "full");
    assert_eq!(report["items"], Value::Array(pushed_a.clone()));
    let again = pull.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri(&a)}, "previousResultId": report["resultId"]}),
    );
    assert_eq!(again["kind"], "unchanged");
    assert_eq!(again["resultId"], report["resultId"]);

    let ws = pull.request("workspace/diagnostic", json!({"previousResultIds": []}));
    let items = ws["items"].as_array().cloned().unwrap_or_default();
    let of = |p: &Path| {
        items
            .iter()
            .find(|i| i["uri"] == uri(p))
            .map(|i| i["items"].clone())
    };
    assert_eq!(of(&a), Some(Value::Array(pushed_a)));
    assert_eq!(of(&b), Some(Value::Array(pushed_b)));
    assert!(
        !pull
            .seen
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics"),
        "never both"
    );
    // An agent fixes a spec on disk: the client is asked to pull again.
    pull.settle(Duration::from_millis(300));
    let refreshes = |c: &Client| {
        c.seen
            .iter()
            .filter(|m| m["method"] == "workspace/diagnostic/refresh")
            .count()
    };
    let before = refreshes(&pull);
    std::fs::write(&b, A).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while refreshes(&pull) == before {
        assert!(std::time::Instant::now() < deadline, "no refresh request");
        pull.settle(Duration::from_millis(100));
    }
    let ws = pull.request("workspace/diagnostic", json!({"previousResultIds": []}));
    let b_now = ws["items"]
        .as_array()
        .and_then(|v| v.iter().find(|i| i["uri"] == uri(&b)).cloned());
    assert!(
        b_now.is_none_or(
            |i| !codes(i["items"].as_array().unwrap()).contains(&"missing-file".to_string())
        ),
        "the fixed spec pulls clean"
    );
}

/// A spec created on disk changes what other specs' lenses and tokens show (dependent
/// counts, resolved IDs): clients that can be told to refresh them are, without an edit.
#[test]
fn lenses_and_tokens_are_refreshed_after_a_change_on_disk() {
    let (_d, root) = workspace(&[(
        ".chant/specs/2026-03-01-001-aaa.md",
        "---\ndepends_on: [2026-03-01-002-bbb]\n---\n# A\n",
    )]);
    let mut caps = neovim();
    caps["workspace"]["codeLens"] = json!({"refreshSupport": true});
    caps["workspace"]["semanticTokens"] = json!({"refreshSupport": true});
    let (mut c, _) = Client::start(&[&root], caps);
    c.settle(Duration::from_millis(500));
    let count = |c: &Client, m: &str| c.seen.iter().filter(|x| x["method"] == m).count();
    let (lens0, tokens0) = (
        count(&c, "workspace/codeLens/refresh"),
        count(&c, "workspace/semanticTokens/refresh"),
    );
    std::fs::write(
        root.join(".chant/specs/2026-03-01-002-bbb.md"),
        "---\nstatus: pending\n---\n# B\n",
    )
    .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while (count(&c, "workspace/codeLens/refresh") == lens0
        || count(&c, "workspace/semanticTokens/refresh") == tokens0)
        && std::time::Instant::now() < deadline
    {
        c.settle(Duration::from_millis(100));
    }
    assert!(
        count(&c, "workspace/codeLens/refresh") > lens0,
        "no lens refresh"
    );
    assert!(
        count(&c, "workspace/semanticTokens/refresh") > tokens0,
        "no tokens refresh"
    );
}

/// The server keeps no text of a spec it has not opened: a request that points into one
/// reads it again, and after an agent rewrote it the answer follows the new text.
#[test]
fn references_into_unopened_specs_follow_their_text_on_disk() {
    let b_text = |pad: &str| {
        format!("---\ntype: code\n{pad}status: pending\ndepends_on: [\"é-unknown\", \"2026-03-01-001-aaa\"]\n---\n# Spec B\n")
    };
    let (_d, root) = workspace(&[
        (".chant/specs/2026-03-01-001-aaa.md", A),
        (".chant/specs/2026-03-01-002-bbb.md", &b_text("")),
    ]);
    let (mut c, init) = Client::start(&[&root], neovim());
    let a = root.join(".chant/specs/2026-03-01-001-aaa.md");
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    c.wait_diagnostics(&b, |d| codes(d).contains(&"unknown-dependency".to_string()));
    c.open(&a, A);
    // Where the ID starts inside its quotes, in the negotiated encoding.
    let col = match init["capabilities"]["positionEncoding"].as_str() {
        Some("utf-8") => "depends_on: [\"é-unknown\", \"".len(),
        _ => "depends_on: [\"é-unknown\", \"".chars().count(),
    };
    let refs = |c: &mut Client| {
        let r = c.request(
            "textDocument/references",
            json!({"textDocument": {"uri": uri(&a)}, "position": {"line": 4, "character": 3},
                   "context": {"includeDeclaration": false}}),
        );
        r.as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|l| {
                (
                    l["uri"].as_str().unwrap_or("").to_string(),
                    l["range"]["start"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        refs(&mut c),
        vec![(uri(&b), json!({"line": 3, "character": col}))]
    );

    // An agent adds three lines above, and a bad status the diagnostics show once seen.
    std::fs::write(
        &b,
        b_text("x-a: 1\nx-b: 2\nx-c: 3\n").replace("pending", "bogus"),
    )
    .unwrap();
    c.wait_diagnostics(&b, |d| codes(d).contains(&"invalid-value".to_string()));
    assert_eq!(
        refs(&mut c),
        vec![(uri(&b), json!({"line": 6, "character": col}))]
    );
    assert_eq!(c.shutdown(), 0);
}

/// The first index's diagnostics arrive in chunks computed from the disk as it was read;
/// an edit made meanwhile is newer and no chunk may put the old diagnostics back.
#[test]
fn an_edit_during_the_first_index_is_not_overwritten_by_it() {
    let bad = "---\ntype: code\nstatus: bogus\n---\n# Edited while indexing\n";
    let mut files: Vec<(String, String)> = (0..3000)
        .map(|i| {
            (
                format!(".chant/specs/2026-04-01-{i:03x}-idx.md"),
                format!("---\ntype: code\nstatus: nope\n---\n# Spec {i}\n"),
            )
        })
        .collect();
    // Sorted last, so its chunk is computed late.
    files.push((".chant/specs/2026-12-31-fff-zzz.md".into(), bad.into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (_d, root) = workspace(&refs);
    let (mut c, _) = Client::start(&[&root], neovim());
    let s = root.join(".chant/specs/2026-12-31-fff-zzz.md");
    c.open(&s, &bad.replace("bogus", "pending"));
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !c
        .seen
        .iter()
        .any(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
    {
        assert!(std::time::Instant::now() < deadline, "indexing never ended");
        c.settle(Duration::from_millis(50));
    }
    c.settle(Duration::from_millis(300));
    let last = c.diagnostics.get(&uri(&s)).cloned().unwrap_or_default();
    assert!(
        !codes(&last).contains(&"invalid-value".to_string()),
        "{last:?}"
    );
    // The others got theirs from the chunks.
    let other = root.join(".chant/specs/2026-04-01-000-idx.md");
    assert!(codes(&c.wait_diagnostics(&other, |d| !d.is_empty()))
        .contains(&"invalid-value".to_string()));
    assert_eq!(c.shutdown(), 0);
}
