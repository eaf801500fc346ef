use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{bin, workspace};

fn run(args: &[&str], cwd: &Path) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run chant-lsp")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const BAD: &str = "---\nstatus: Completed\ndepends_on: [2026-03-01-099-zzz]\n---\n# Ünï B\n";

#[test]
fn check_prints_one_line_per_diagnostic_relative_to_the_root() {
    let (_d, root) = workspace(&[(".chant/specs/2026-03-01-002-bbb.md", BAD)]);
    // Run from a subdirectory: the workspace is found above it.
    std::fs::create_dir_all(root.join("src/deep")).unwrap();
    let o = run(&["check"], &root.join("src/deep"));
    assert_eq!(o.status.code(), Some(1), "errors exit 1");
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            ".chant/specs/2026-03-01-002-bbb.md:1:1: error[parse-error]: chant cannot load this spec (\"Invalid YAML frontmatter\"): every chant command skips it, and specs that depend on it see an unknown dependency",
            ".chant/specs/2026-03-01-002-bbb.md:2:9: error[invalid-value]: `Completed` is not a valid `status`: chant refuses to load this spec. Allowed: pending, in_progress, paused, completed, failed, needs_attention, ready, blocked, cancelled; did you mean `completed`?",
            ".chant/specs/2026-03-01-002-bbb.md:3:14: error[unknown-dependency]: Unknown dependency '2026-03-01-099-zzz': no spec in specs/ or archive/ has this ID",
        ]
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 specs checked: 3 errors, 0 warnings"));
}

#[test]
fn check_json_has_lsp_ranges() {
    let (_d, root) = workspace(&[(
        ".chant/specs/2026-03-01-002-bbb.md",
        "---\nlabels: [é, {a: b}]\n---\n# T\n",
    )]);
    let o = run(
        &["check", root.to_str().unwrap(), "--format", "json"],
        Path::new("/"),
    );
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).expect("a JSON array");
    let d = v
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "invalid-value")
        .expect("invalid-value");
    assert_eq!(d["path"], ".chant/specs/2026-03-01-002-bbb.md");
    assert_eq!(d["severity"], "error");
    // UTF-16 columns: `é` is one unit, so `{a: b}` starts at 12.
    assert_eq!(
        d["range"]["start"],
        serde_json::json!({"line": 1, "character": 12})
    );
    assert_eq!(
        d["range"]["end"],
        serde_json::json!({"line": 1, "character": 18})
    );
}

#[test]
fn check_exit_codes() {
    let (_d, root) = workspace(&[(
        ".chant/specs/2026-03-01-001-aaa.md",
        "---\ntype: documentation\n---\n# Doc\n",
    )]);
    let o = run(&["check"], &root);
    assert_eq!(
        o.status.code(),
        Some(0),
        "warnings only exit 0: {}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("warning[doc-missing-tracks]"));
    let empty = tempfile::tempdir().unwrap();
    let o = run(&["check"], empty.path());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "one-line reason: {err}");
    assert!(err.contains("no .chant/ directory"));
    let o = run(&["check", "/does/not/exist"], &root);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read /does/not/exist"));
    let o = run(&["check", "--format", "yaml"], &root);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn version_and_help() {
    let here = Path::new("/");
    let o = run(&["--version"], here);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o).trim(),
        format!("chant-lsp {}", env!("CARGO_PKG_VERSION"))
    );
    let o = run(&["--help"], here);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("chant-lsp check [PATH]"));
    let o = run(&["frobnicate"], here);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_workspace_without_specs_dir_is_still_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".chant/archive/2026-01-01")).unwrap();
    std::fs::write(
        dir.path()
            .join(".chant/archive/2026-01-01/2026-01-01-001-aaa.md"),
        "---\nstatus: bogus\n---\n",
    )
    .unwrap();
    let o = run(&["check"], dir.path());
    assert_eq!(
        o.status.code(),
        Some(0),
        "archive is history, not linted by default"
    );
    let o = run(&["check", "--include-archive"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o)
        .contains(".chant/archive/2026-01-01/2026-01-01-001-aaa.md:2:9: error[invalid-value]"));
}

/// The README's first command: the demo investigation and its deliberate mistakes.
#[test]
fn demo_workspace_reports_its_deliberate_mistakes() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/kvstore");
    let o = run(&["check", demo.to_str().unwrap()], Path::new("/"));
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let got: Vec<String> = out
        .lines()
        .map(|l| {
            // path:line:col: severity[code]: message -> "file:line code"
            let mut parts = l.splitn(4, ':');
            let (path, line, _col, rest) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            let code = rest
                .split('[')
                .nth(1)
                .and_then(|r| r.split(']').next())
                .unwrap();
            format!("{}:{line} {code}", path.rsplit('/').next().unwrap())
        })
        .collect();
    assert_eq!(
        got,
        [
            "2026-02-08-002-c3d.md:1 missing-phase-field", // reproduction lacks the comprehension doc
            "2026-02-08-005-k9w.md:20 unchecked-criteria", // completed root cause, unchecked box
            "2026-02-08-008-j3n.md:8 inexact-dependency-id", // depends_on: [005-k9w]
            "2026-02-08-009-m2p.md:1 parse-error",         // status: complete
            "2026-02-08-009-m2p.md:3 invalid-value",
            "2026-02-08-009-m2p.md:9 missing-phase-field", // fix lacks the impact map doc
            "2026-02-08-009-m2p.md:11 missing-file", // ...and names issue-1234-sprawl.md instead
            "2026-02-08-00a-u7r.md:1 missing-phase-field", // upstream PR does not depend on the fix
            "2026-02-08-00a-u7r.md:1 pr-fix-incomplete", // ...and the fix is not completed
        ]
    );
}

#[test]
fn project_settings_disable_codes_and_report_their_own_mistakes() {
    let (_d, root) = workspace(&[
        (
            ".chant/specs/2026-03-01-001-aaa.md",
            "---\ntype: documentation\n---\n# Doc mentions 2026-03-01-009-zzz\n",
        ),
        (
            ".chant/lsp.yaml",
            "disable: [doc-missing-tracks, no-such-code]\n",
        ),
    ]);
    let o = run(&["check"], &root);
    let out = stdout(&o);
    assert!(!out.contains("doc-missing-tracks"), "{out}");
    assert!(out.contains("warning[doc-missing-target-files]"), "{out}");
    assert!(
        out.contains(
            ".chant/lsp.yaml:1:31: warning[invalid-config]: unknown diagnostic code `no-such-code`"
        ),
        "{out}"
    );
    assert_eq!(o.status.code(), Some(0));
}
