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
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 spec checked: 3 errors, 0 warnings"));
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

/// The demo copied to a temporary folder, for runs that write.
fn demo_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            let (src, dst) = (e.path(), to.join(e.file_name()));
            if src.is_dir() {
                copy(&src, &dst);
            } else {
                std::fs::copy(&src, &dst).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap().join("kvstore");
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/kvstore"),
        &root,
    );
    (dir, root)
}

/// Every file under `dir` with its bytes and modification time.
fn snapshot(
    dir: &Path,
) -> std::collections::BTreeMap<std::path::PathBuf, (Vec<u8>, std::time::SystemTime)> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let m = std::fs::metadata(&p).unwrap().modified().unwrap();
                out.insert(p.clone(), (std::fs::read(&p).unwrap(), m));
            }
        }
    }
    out
}

/// (path, 1-based line, 1-based column in characters, severity, code, message) per finding.
type Finding = (String, u64, u64, String, String, String);

fn json_findings(root: &Path) -> (Vec<Finding>, Value) {
    let o = run(&["check", "--format", "json"], root);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let findings = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap() + 1,
                // The demo is ASCII: UTF-16 and character columns agree.
                d["range"]["start"]["character"].as_u64().unwrap() + 1,
                d["severity"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (findings, v)
}

fn parse_one_line(l: &str) -> Finding {
    let mut parts = l.splitn(4, ':');
    let path = parts.next().unwrap().to_string();
    let line = parts.next().unwrap().parse().unwrap();
    let col = parts.next().unwrap().parse().unwrap();
    let rest = parts.next().unwrap().trim_start();
    let (sev, rest) = rest.split_once('[').unwrap();
    let (code, msg) = rest.split_once("]: ").unwrap();
    (path, line, col, sev.into(), code.into(), msg.into())
}

#[test]
fn every_format_reports_the_json_findings_in_the_same_order() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/kvstore");
    let (findings, _) = json_findings(&demo);
    assert_eq!(findings.len(), 9, "{findings:#?}");
    // text (not a terminal: no snippet) and concise: the one-line form.
    for format in ["text", "concise"] {
        let o = run(&["check", "--format", format], &demo);
        assert_eq!(o.status.code(), Some(1));
        let got: Vec<Finding> = stdout(&o).lines().map(parse_one_line).collect();
        assert_eq!(got, findings, "{format}");
    }
    // github: workflow commands.
    let o = run(&["check", "--format", "github"], &demo);
    assert_eq!(o.status.code(), Some(1));
    let got: Vec<Finding> = stdout(&o)
        .lines()
        .map(|l| {
            let (head, msg) = l.strip_prefix("::").unwrap().split_once("::").unwrap();
            let (cmd, props) = head.split_once(' ').unwrap();
            let prop = |k: &str| {
                props
                    .split(',')
                    .find_map(|p| p.strip_prefix(&format!("{k}=")))
                    .unwrap()
                    .to_string()
            };
            assert_eq!(
                prop("title"),
                format!("chant-lsp {}", prop("title").rsplit(' ').next().unwrap())
            );
            let sev = match cmd {
                "error" => "error",
                "warning" => "warning",
                other => panic!("{other}"),
            };
            (
                prop("file"),
                prop("line").parse().unwrap(),
                prop("col").parse().unwrap(),
                sev.to_string(),
                prop("title").rsplit(' ').next().unwrap().to_string(),
                msg.to_string(),
            )
        })
        .collect();
    assert_eq!(got, findings, "github");
    // sarif: the fields GitHub code scanning needs.
    let o = run(&["check", "--format", "sarif"], &demo);
    assert_eq!(o.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "chant-lsp");
    let rules = driver["rules"].as_array().unwrap();
    for r in rules {
        assert!(r["id"].is_string() && r["shortDescription"]["text"].is_string());
        let help = r["helpUri"].as_str().unwrap();
        assert!(
            help.starts_with("https://")
                && help.ends_with(&format!("#{}", r["id"].as_str().unwrap())),
            "{help}"
        );
    }
    let got: Vec<Finding> = runs[0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let id = r["ruleId"].as_str().unwrap();
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], id, "ruleIndex points at the rule");
            let loc = &r["locations"][0]["physicalLocation"];
            let region = &loc["region"];
            for k in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[k].as_u64().unwrap() >= 1, "{k} is 1-based");
            }
            let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
            assert!(
                !uri.starts_with('/') && !uri.contains("://"),
                "relative: {uri}"
            );
            let level = r["level"].as_str().unwrap();
            assert!(["error", "warning", "note"].contains(&level));
            (
                uri.to_string(),
                region["startLine"].as_u64().unwrap(),
                region["startColumn"].as_u64().unwrap(),
                level.to_string(),
                id.to_string(),
                r["message"]["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, findings, "sarif");
}

#[test]
fn text_in_colour_shows_the_source_line_underlined() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/kvstore");
    let o = run(&["check", "--color", "always"], &demo);
    let out = stdout(&o);
    assert!(
        out.contains("\x1b[1;31merror\x1b[0m[inexact-dependency-id]"),
        "{out}"
    );
    assert!(out.contains("- 005-k9w"), "the source line: {out}");
    let o = Command::new(bin())
        .args(["check", "--color", "auto"])
        .env("NO_COLOR", "1")
        .current_dir(&demo)
        .output()
        .unwrap();
    assert!(!stdout(&o).contains('\x1b'), "NO_COLOR and not a terminal");
    assert!(!stdout(&o).contains(" | "), "no snippets off a terminal");
}

#[test]
fn fix_applies_the_short_id_fix_and_leaves_the_rest_byte_for_byte() {
    let (_d, root) = demo_copy();
    let before = snapshot(&root);
    let target = root.join(".chant/specs/2026-02-08-008-j3n.md");
    let o = run(&["check", "--fix"], &root);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "parse-error remains: {err}");
    assert!(
        err.contains("fixed .chant/specs/2026-02-08-008-j3n.md:8: inexact-dependency-id: Use the full ID `2026-02-08-005-k9w`"),
        "{err}"
    );
    assert!(err.contains("fixed 1 finding in 1 file"), "{err}");
    assert!(err.contains("2 errors remaining, 6 warnings"), "{err}");
    let out = stdout(&o);
    assert!(
        !out.contains("inexact-dependency-id"),
        "fixed, so not reported: {out}"
    );
    let text = std::fs::read_to_string(&target).unwrap();
    let old = String::from_utf8(before[&target].0.clone()).unwrap();
    assert_eq!(text, old.replace("- 005-k9w\n", "- 2026-02-08-005-k9w\n"));
    assert_ne!(text, old);
    let after = snapshot(&root);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "no stray files"
    );
    for (p, v) in &before {
        if *p != target {
            assert_eq!(&after[p], v, "{} rewritten", p.display());
        }
    }
    // The did-you-mean `completed` for `status: complete` is a guess: only with --unsafe-fixes.
    let m2p = root.join(".chant/specs/2026-02-08-009-m2p.md");
    assert!(std::fs::read_to_string(&m2p)
        .unwrap()
        .contains("status: complete\n"));
    let o = run(&["check", "--fix", "--unsafe-fixes"], &root);
    assert!(
        std::fs::read_to_string(&m2p)
            .unwrap()
            .contains("status: completed\n"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn diff_shows_the_fix_and_writes_nothing() {
    let (_d, root) = demo_copy();
    let before = snapshot(&root);
    let o = run(&["check", "--diff"], &root);
    assert_eq!(o.status.code(), Some(1), "something to fix");
    let out = stdout(&o);
    assert!(out.starts_with("--- a/.chant/specs/2026-02-08-008-j3n.md\n+++ b/.chant/specs/2026-02-08-008-j3n.md\n@@ "), "{out}");
    assert!(
        out.contains("\n-- 005-k9w\n+- 2026-02-08-005-k9w\n"),
        "{out}"
    );
    assert_eq!(snapshot(&root), before, "--diff writes nothing");
    // Once fixed, nothing is left to show.
    run(&["check", "--fix"], &root);
    let o = run(&["check", "--diff"], &root);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
}

#[test]
fn explain_prints_the_entry_or_the_nearest_codes() {
    let here = Path::new("/");
    let o = run(&["explain", "inexact-dependency-id"], here);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.starts_with("inexact-dependency-id: a dependency typed as a short ID"),
        "{out}"
    );
    assert!(out.contains("depends_on: [005-k9w]"), "the example: {out}");
    assert!(
        out.contains("Quick fix: `Use the full ID"),
        "the fix: {out}"
    );
    assert!(
        out.trim_end()
            .ends_with("/blob/main/docs/diagnostics.md#inexact-dependency-id"),
        "{out}"
    );
    let o = run(&["explain", "inexact-dependancy-id"], here);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("nearest: inexact-dependency-id"));
    let o = run(&["explain"], here);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o)
        .lines()
        .any(|l| l.starts_with("dependency-cycle ")));
    // --help points at explain and the published docs, not at a repository path.
    let help = stdout(&run(&["check", "--help"], here));
    assert!(help.contains("chant-lsp explain CODE"), "{help}");
    assert!(
        help.contains("https://github.com/") && !help.contains("codes: docs/"),
        "{help}"
    );
}

#[test]
fn counts_are_spelled_in_words_that_agree() {
    let doc = "---\ntype: documentation\n---\n# Doc\n";
    let (_d, root) = workspace(&[(".chant/specs/2026-03-01-001-aaa.md", doc)]);
    let err = String::from_utf8_lossy(&run(&["check"], &root).stderr).into_owned();
    assert!(
        err.contains("1 spec checked: 0 errors, 2 warnings\n"),
        "{err}"
    );
    let (_d, root) = workspace(&[
        (".chant/specs/2026-03-01-001-aaa.md", doc),
        (".chant/specs/2026-03-01-002-bbb.md", doc),
        (".chant/lsp.yaml", "disable: [doc-missing-tracks]\n"),
    ]);
    std::fs::write(
        root.join(".chant/specs/2026-03-01-002-bbb.md"),
        "---\ntype: code\n---\n# Code\n",
    )
    .unwrap();
    let err = String::from_utf8_lossy(&run(&["check"], &root).stderr).into_owned();
    assert!(
        err.contains("2 specs checked: 0 errors, 1 warning\n"),
        "{err}"
    );
}

/// The `.pre-commit-hooks.yaml` pre-commit reads: it parses, and the command it names runs
/// (with its arguments) on a workspace.
#[test]
fn pre_commit_hook_runs_the_command_it_names() {
    use chant_lsp::syntax::yaml;
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.pre-commit-hooks.yaml");
    let text = std::fs::read_to_string(file).unwrap();
    let (root, err) = yaml::parse(&text, 0);
    assert!(err.is_none(), "{err:?}");
    let root = root.unwrap();
    let hooks = root.items();
    assert_eq!(hooks.len(), 1);
    let field = |k: &str| {
        hooks[0]
            .get(k)
            .and_then(|e| e.value.as_scalar().map(str::to_string))
    };
    assert_eq!(field("id").as_deref(), Some("chant-lsp-check"));
    for k in ["name", "entry", "language"] {
        assert!(field(k).is_some(), "pre-commit requires `{k}`");
    }
    assert_eq!(field("pass_filenames").as_deref(), Some("false"));
    let entry = field("entry").unwrap();
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("chant-lsp"));
    let args: Vec<String> = words
        .map(str::to_string)
        .chain(
            hooks[0]
                .get("args")
                .map(|a| {
                    a.value
                        .items()
                        .iter()
                        .filter_map(|i| i.as_scalar().map(str::to_string))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        )
        .collect();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/kvstore");
    let o = Command::new(bin())
        .args(&args)
        .current_dir(&demo)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "the demo's errors fail the hook");
    assert!(stdout(&o).contains("error[inexact-dependency-id]"));
    let (_d, clean) = workspace(&[(
        ".chant/specs/2026-03-01-001-aaa.md",
        "---\ntype: code\n---\n# Clean\n",
    )]);
    let o = Command::new(bin())
        .args(&args)
        .current_dir(&clean)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The `files` pattern matches spec paths (pre-commit uses Python's re.search).
    let files = field("files").unwrap();
    assert_eq!(files, r"(^|/)\.chant/");
}

/// The README's GitHub Actions job: its `chant-lsp check` lines, run as written in a copy
/// of the demo with the built binary first on the PATH.
#[test]
fn readme_workflow_check_lines_run_as_written() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let job = readme
        .split("```yaml\n")
        .find(|b| b.contains("upload-sarif"))
        .and_then(|b| b.split("```").next())
        .expect("the workflow snippet");
    let lines: Vec<&str> = job
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run: "))
        .filter(|l| l.starts_with("chant-lsp check"))
        .collect();
    assert_eq!(lines.len(), 2, "{job}");
    let sarif_file = job
        .lines()
        .find_map(|l| l.trim().strip_prefix("sarif_file: "))
        .expect("sarif_file");
    let (_d, root) = demo_copy();
    let bin_dir = Path::new(bin()).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let sh = |line: &str| {
        Command::new("sh")
            .args(["-c", line])
            .env("PATH", &path)
            .current_dir(&root)
            .output()
            .unwrap()
    };
    let annotate = sh(lines[0]);
    assert_eq!(
        annotate.status.code(),
        Some(1),
        "the demo's errors fail the step"
    );
    assert!(stdout(&annotate)
        .lines()
        .all(|l| l.starts_with("::error ") || l.starts_with("::warning ")));
    let upload = sh(lines[1]);
    assert_eq!(
        upload.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&upload.stderr)
    );
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(root.join(sarif_file)).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 9);
}
