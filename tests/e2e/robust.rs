//! The server under bad input, churn and its own bugs.

use std::collections::BTreeSet;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use chant_lsp::syntax::{Encoding, LineIndex};
use serde_json::{json, Value};

use crate::support::{bin, codes, uri, workspace, Client};

#[test]
fn a_panicking_handler_answers_with_an_error_and_the_server_keeps_serving() {
    let spec = "---\nstatus: nope\n---\n# A\n";
    let (_d, root) = workspace(&[(".chant/specs/2026-03-01-001-aaa.md", spec)]);
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let a = root.join(".chant/specs/2026-03-01-001-aaa.md");
    c.wait_diagnostics(&a, |d| !d.is_empty());
    let r = c.request_raw(
        "workspace/executeCommand",
        json!({"command": "chant-lsp.debug.panic", "arguments": []}),
    );
    assert_eq!(r["error"]["code"], -32603, "{r}");
    // Still alive and correct.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&a)}, "position": {"line": 1, "character": 1}}),
    );
    assert!(h["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("**status**"));
    c.open(&a, spec);
    c.change(&a, 2, json!([{"text": "---\nstatus: pending\n---\n# A\n"}]));
    c.wait_diagnostics(&a, |d| d.is_empty());
    assert_eq!(c.shutdown(), 0);
}

/// Symlinks, unreadable files, FIFOs and non-UTF-8 names: one clear diagnostic each, and
/// nothing hangs.
#[test]
fn odd_files_get_one_clear_diagnostic_each() {
    let (d, root) = workspace(&[(
        "elsewhere/real.md",
        "---\nstatus: completed\n---\n# Linked spec\n",
    )]);
    let specs = root.join(".chant/specs");
    std::os::unix::fs::symlink(
        root.join("elsewhere/real.md"),
        specs.join("2026-03-01-001-lnk.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink(root.join("nowhere.md"), specs.join("2026-03-01-002-dng.md"))
        .unwrap();
    let fifo = specs.join("2026-03-01-003-ffo.md");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let bad_name = specs.join(std::ffi::OsStr::from_bytes(b"2026-03-01-004-\xff\xfe.md"));
    std::fs::write(&bad_name, "---\n---\n# Odd name\n").unwrap();
    let out = Command::new(bin())
        .args(["check", "--format", "json"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_file = |needle: &str| -> Vec<(String, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|d| d["path"].as_str().unwrap().contains(needle))
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert!(
        by_file("001-lnk").is_empty(),
        "a symlinked spec is read like any other"
    );
    let dangling = by_file("002-dng");
    assert_eq!(dangling.len(), 1);
    assert_eq!(dangling[0].0, "unreadable-file");
    assert!(dangling[0].1.contains("No such file"), "{dangling:?}");
    let fifo_d = by_file("003-ffo");
    assert_eq!(
        (fifo_d.len(), fifo_d[0].1.contains("not a regular file")),
        (1, true),
        "{fifo_d:?}"
    );
    let named = by_file("004-");
    assert_eq!(named.len(), 1, "{named:?}");
    assert!(named[0].1.contains("file name is not valid UTF-8"));
    // The server, on the same tree, publishes the same and keeps going.
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let dd = c.wait_diagnostics(&specs.join("2026-03-01-002-dng.md"), |d| !d.is_empty());
    assert_eq!(codes(&dd), ["unreadable-file"]);
    let fd = c.wait_diagnostics(&fifo, |d| !d.is_empty());
    assert_eq!(codes(&fd), ["unreadable-file"]);
    assert_eq!(c.shutdown(), 0);
    drop(d);
}

/// A tiny deterministic generator for the churn.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn spec_text(i: usize, dep: usize) -> String {
    format!("---\nstatus: {}\ndepends_on: [2026-03-01-{dep:03}-spc]\n---\n# Spec {i}\n\n## Acceptance Criteria\n- [ ] a\n", if i % 2 == 0 { "completed" } else { "pending" })
}

/// Thousands of rapid edits, requests and on-disk changes; afterwards the server's view
/// equals the disk and the editor, and every request was answered.
#[test]
fn churn_ends_where_the_disk_and_the_editor_are() {
    let files: Vec<(String, String)> = (0..30)
        .map(|i| {
            (
                format!(".chant/specs/2026-03-01-{i:03}-spc.md"),
                spec_text(i, (i + 7) % 40),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (_d, root) = workspace(&refs);
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    c.settle(Duration::from_millis(300));
    let spec = |i: usize| root.join(format!(".chant/specs/2026-03-01-{i:03}-spc.md"));
    // Three specs open in the editor, with our own copy of their text.
    let mut open: Vec<(std::path::PathBuf, String, i32)> = (0..3)
        .map(|i| (spec(i), spec_text(i, (i + 7) % 40), 1))
        .collect();
    for (p, t, _) in &open {
        c.open(p, t);
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let alphabet = [
        "x",
        "é",
        "😀",
        "\n",
        "- [ ] ",
        "status: ",
        "completed",
        "2026-03-01-005-spc",
        ":",
        "[",
        "]",
        "---",
        " ",
    ];
    let mut requests = 0;
    for step in 0..3000 {
        match rng.below(10) {
            0..=6 => {
                let k = rng.below(open.len());
                let (path, text, version) = &mut open[k];
                let lines = LineIndex::new(text);
                let line = rng.below(lines.line_count()) as u32;
                let col = rng.below(12) as u32;
                let len = rng.below(3) as u32;
                let new = alphabet[rng.below(alphabet.len())];
                let s = lines.offset(text, line, col, Encoding::Utf16);
                let e = lines.offset(text, line, col + len, Encoding::Utf16).max(s);
                let (sl, sc) = lines.position(text, s, Encoding::Utf16);
                let (el, ec) = lines.position(text, e, Encoding::Utf16);
                text.replace_range(s..e, new);
                *version += 1;
                let v = *version;
                let p = path.clone();
                c.change(&p, v, json!([{"range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}, "text": new}]));
            }
            7 => {
                let (p, _, _) = &open[rng.below(open.len())];
                let p = p.clone();
                let method = [
                    "textDocument/hover",
                    "textDocument/completion",
                    "textDocument/documentSymbol",
                    "textDocument/inlayHint",
                ][rng.below(4)];
                let pos = json!({"line": rng.below(8), "character": rng.below(10)});
                let params = json!({"textDocument": {"uri": uri(&p)}, "position": pos, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 20, "character": 0}}});
                let r = c.request_raw(method, params);
                assert!(
                    r.get("error").is_none(),
                    "{method} failed at step {step}: {r}"
                );
                requests += 1;
            }
            _ => {
                // An agent or the chant CLI changes a spec that is not open.
                let i = 3 + rng.below(37);
                let p = spec(i);
                let change = if p.exists() && rng.below(3) == 0 {
                    std::fs::remove_file(&p).unwrap();
                    3
                } else if p.exists() && rng.below(2) == 0 {
                    let to = spec(3 + rng.below(37));
                    if to.exists() {
                        continue;
                    }
                    std::fs::rename(&p, &to).unwrap();
                    c.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": uri(&p), "type": 3}, {"uri": uri(&to), "type": 1}]}));
                    continue;
                } else {
                    let existed = p.exists();
                    std::fs::write(&p, spec_text(i, rng.below(40))).unwrap();
                    if existed {
                        2
                    } else {
                        1
                    }
                };
                c.notify(
                    "workspace/didChangeWatchedFiles",
                    json!({"changes": [{"uri": uri(&p), "type": change}]}),
                );
            }
        }
    }
    assert!(requests > 100, "{requests} requests");
    // The editor saves: disk == buffers. Then everything settles.
    for (p, t, _) in &open {
        std::fs::write(p, t).unwrap();
    }
    c.request("workspace/symbol", json!({"query": ""}));
    c.settle(Duration::from_millis(1500));
    // What `check` computes from the disk is what the server last published.
    let out = Command::new(bin())
        .args(["check", "--format", "json"])
        .current_dir(&root)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = |d: &Value| format!("{}|{}|{}", d["code"], d["range"], d["message"]);
    for entry in std::fs::read_dir(root.join(".chant/specs")).unwrap() {
        let path = entry.unwrap().path();
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let expected: BTreeSet<String> = v
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["path"] == rel.as_str())
            .map(key)
            .collect();
        let published: BTreeSet<String> = c
            .diagnostics
            .get(&uri(&path))
            .map(|d| d.iter().map(key).collect())
            .unwrap_or_default();
        assert_eq!(published, expected, "{rel}");
    }
    // Deleted specs have their diagnostics cleared.
    for (u, d) in &c.diagnostics {
        let p = Path::new(u.trim_start_matches("file://"));
        if !p.exists() {
            assert!(d.is_empty(), "stale diagnostics for deleted {u}");
        }
    }
}

/// Runs `chant-lsp check ARGS` in `dir`, killed after a minute (a hang is a failure, not a
/// stuck CI job): (exit status, stdout).
fn check_in(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<u8>) {
    let mut child = Command::new(bin())
        .arg("check")
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start check");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut out);
        out
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("check did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code(), reader.join().expect("reader"))
}

fn json_diagnostics(out: &[u8]) -> Vec<Value> {
    serde_json::from_slice::<Value>(out)
        .expect("check --format json prints JSON")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// A link loop under `.chant/specs` and a link out of the workspace: the walk ends, every
/// spec is seen once, nothing outside is indexed; in check and in the server.
#[test]
fn a_symlink_loop_ends_and_lists_each_spec_once() {
    let spec = "---\nstatus: bogus\n---\n# A\n";
    let (_d, root) = workspace(&[
        (".chant/specs/2026-03-01-001-aaa.md", spec),
        (
            ".chant/specs/sub/2026-03-01-002-bbb.md",
            "---\nstatus: pending\n---\n# B\n",
        ),
    ]);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("2026-03-01-009-out.md"),
        "---\nstatus: bogus\n---\n# Outside\n",
    )
    .unwrap();
    let specs = root.join(".chant/specs");
    std::os::unix::fs::symlink(&specs, specs.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", specs.join("sub/up")).unwrap();
    std::os::unix::fs::symlink(outside.path(), specs.join("out")).unwrap();

    let (status, out) = check_in(&root, &["--format", "json"]);
    assert_eq!(status, Some(1));
    let diags = json_diagnostics(&out);
    let seen: Vec<(String, String)> = diags
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap_or("").into(),
                d["code"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    let a_rel = ".chant/specs/2026-03-01-001-aaa.md".to_string();
    assert_eq!(
        seen,
        [
            (a_rel.clone(), "parse-error".into()),
            (a_rel, "invalid-value".into())
        ],
        "one spec, once; nothing from the loop or outside"
    );

    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let a = specs.join("2026-03-01-001-aaa.md");
    let d = c.wait_diagnostics(&a, |d| !d.is_empty());
    assert_eq!(codes(&d), ["parse-error", "invalid-value"]);
    let symbols = c.request("workspace/symbol", json!({"query": ""}));
    let names: BTreeSet<String> = symbols
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["location"]["uri"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        names,
        BTreeSet::from([uri(&a), uri(&specs.join("sub/2026-03-01-002-bbb.md"))]),
        "the server indexes each spec once, by its own path"
    );
    assert_eq!(c.shutdown(), 0);
}

/// A NUL (which used to end the frontmatter silently and hide `status: bogus`) is a
/// `yaml-syntax` error at the character, shown escaped.
#[test]
fn a_nul_byte_in_the_frontmatter_is_an_error_at_it() {
    let spec = "---\ntitle: a\u{0}b\nstatus: bogus\n---\n# A\n";
    let (_d, root) = workspace(&[(".chant/specs/2026-03-01-001-aaa.md", spec)]);
    let (status, out) = check_in(&root, &[]);
    assert_eq!(status, Some(1));
    let text = String::from_utf8(out).expect("UTF-8 output");
    assert!(
        !text.contains('\u{0}'),
        "no raw NUL in the output: {text:?}"
    );
    assert!(
        text.contains("2026-03-01-001-aaa.md:2:9: error[yaml-syntax]: invalid YAML: the control character `\\u{0}`"),
        "{text}"
    );

    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let a = root.join(".chant/specs/2026-03-01-001-aaa.md");
    let d = c.wait_diagnostics(&a, |d| codes(d).contains(&"yaml-syntax".to_string()));
    let y = crate::support::find(&d, "yaml-syntax");
    assert_eq!(crate::support::range(y), [[1, 8], [1, 9]]);
    assert!(y["message"].as_str().unwrap_or("").contains("`\\u{0}`"));
    assert_eq!(c.shutdown(), 0);
}

fn cycle_spec(i: usize, n: usize) -> String {
    format!(
        "---\nstatus: pending\ndepends_on:\n- 2026-03-01-{:03}-{:03}\n---\n# Spec {i}\n",
        (i + 1) % n / 1000,
        (i + 1) % n % 1000
    )
}

/// Each member of a 4,000-spec cycle used to list the whole cycle: 353 MB of `check`
/// output. Now a cycle message names at most eight specs.
#[test]
fn a_4000_spec_cycle_gives_bounded_output() {
    const N: usize = 4000;
    let files: Vec<(String, String)> = (0..N)
        .map(|i| {
            (
                format!(".chant/specs/2026-03-01-{:03}-{:03}.md", i / 1000, i % 1000),
                cycle_spec(i, N),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (_d, root) = workspace(&refs);
    let (status, out) = check_in(&root, &[]);
    assert_eq!(status, Some(1));
    assert!(out.len() < 5_000_000, "check printed {} bytes", out.len());
    let text = String::from_utf8_lossy(&out);
    let cycles: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("[dependency-cycle]"))
        .collect();
    assert_eq!(cycles.len(), N, "every member still gets its diagnostic");
    assert!(
        cycles
            .iter()
            .all(|l| l.contains("… (one of 4000 specs that depend on each other)")),
        "{}",
        cycles[0]
    );

    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let first = root.join(&files[0].0);
    let d = c.wait_diagnostics(&first, |d| !d.is_empty());
    let cycle = crate::support::find(&d, "dependency-cycle");
    let message = cycle["message"].as_str().unwrap_or("");
    assert!(
        message.len() < 400 && message.contains("one of 4000"),
        "{message}"
    );
    assert!(cycle["relatedInformation"]
        .as_array()
        .is_none_or(|r| r.len() <= 8));
    assert_eq!(c.shutdown(), 0);
}

/// A spec with a thousand mistakes reports the first 200 and one "and N more".
#[test]
fn a_huge_spec_reports_at_most_the_cap_plus_one() {
    let deps: String = (0..1000)
        .map(|i| format!("- 2026-01-01-{i:03}-zzz\n"))
        .collect();
    let spec =
        format!("---\nstatus: pending\ndepends_on:\n{deps}---\n# Many unknown dependencies\n");
    let (_d, root) = workspace(&[(".chant/specs/2026-03-01-001-aaa.md", &spec)]);
    let (status, out) = check_in(&root, &["--format", "json"]);
    assert_eq!(status, Some(1));
    let diags = json_diagnostics(&out);
    assert_eq!(diags.len(), 201);
    let last = diags.last().expect("201 of them");
    assert_eq!(last["code"], "too-many-diagnostics");
    assert!(
        last["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("and 800 more"),
        "{last}"
    );

    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let a = root.join(".chant/specs/2026-03-01-001-aaa.md");
    let d = c.wait_diagnostics(&a, |d| !d.is_empty());
    assert_eq!(d.len(), 201);
    assert_eq!(
        codes(&d)
            .iter()
            .filter(|c| *c == "unknown-dependency")
            .count(),
        200
    );
    assert_eq!(c.shutdown(), 0);
}

/// A panic while parsing one file (forced in debug builds by a marker line) is an
/// `internal-error` on that file; the other specs are still checked, in check and the server.
#[test]
fn a_parser_panic_is_an_internal_error_on_that_file_only() {
    let marker = "<!-- chant-lsp debug: panic while parsing -->";
    let broken = format!("---\nstatus: pending\n---\n# Broken\n{marker}\n");
    let (_d, root) = workspace(&[
        (".chant/specs/2026-03-01-001-aaa.md", &broken),
        (
            ".chant/specs/2026-03-01-002-bbb.md",
            "---\nstatus: bogus\n---\n# B\n",
        ),
    ]);
    let (status, out) = check_in(&root, &["--format", "json"]);
    assert_eq!(status, Some(1));
    let seen: Vec<(String, String)> = json_diagnostics(&out)
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap_or("").into(),
                d["code"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    let (a, b) = (
        ".chant/specs/2026-03-01-001-aaa.md",
        ".chant/specs/2026-03-01-002-bbb.md",
    );
    assert!(
        seen.contains(&(a.into(), "internal-error".into())),
        "{seen:?}"
    );
    assert!(
        seen.contains(&(b.into(), "invalid-value".into())),
        "{seen:?}"
    );
    assert!(seen
        .iter()
        .filter(|(p, _)| p == a)
        .all(|(_, c)| c == "internal-error"));

    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let d = c.wait_diagnostics(&root.join(a), |d| !d.is_empty());
    assert_eq!(codes(&d), ["internal-error"]);
    assert!(d[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("debug panic requested"));
    let d = c.wait_diagnostics(&root.join(b), |d| !d.is_empty());
    assert!(codes(&d).contains(&"invalid-value".to_string()));
    assert_eq!(c.shutdown(), 0);
}
