//! Every real workspace in `../shared/corpus/` loads without a crash, and the only
//! parse-level errors are on the specs chant itself cannot parse (chant-format §3.3:
//! the retired `type` values `docs`, `conflict`, `implementation`).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chant_lsp::diagnostics::{self, Severity};
use chant_lsp::model::vfs::RealFs;
use chant_lsp::model::Workspace;

/// The corpus to read, or `None` to skip: `CHANT_CORPUS` when set (relative to the
/// repository root; then it must exist:
/// CI sets it so that a missing corpus fails instead of silently passing), else
/// `../shared/corpus` beside the checkout when it is there (a fresh clone has none).
fn corpus() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHANT_CORPUS") {
        // cargo runs tests in `server/`; a relative path means one from the repository root.
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(p);
        assert!(
            p.is_dir(),
            "CHANT_CORPUS={} is not a directory: the corpus test is required when CHANT_CORPUS is set",
            p.display()
        );
        return Some(p);
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if beside.is_dir() {
        return Some(beside);
    }
    // Straight to stderr: the test harness captures `eprintln!` of a passing test.
    let _ = writeln!(
        std::io::stderr(),
        "corpus test skipped: no corpus at {} and CHANT_CORPUS is not set (set CHANT_CORPUS=/path/to/corpus to run it)",
        beside.display()
    );
    None
}

/// What chant rejects, decided from the text alone: a frontmatter `type:` line whose
/// value is one of the retired variants.
fn chant_rejects(text: &str) -> bool {
    let Some(rest) = text.trim_start().strip_prefix("---") else {
        return false;
    };
    let fm = &rest[..rest.find("---").unwrap_or(0)];
    fm.lines().any(|l| {
        matches!(
            l.trim().strip_prefix("type:").map(str::trim),
            Some("docs" | "conflict" | "implementation")
        )
    })
}

#[test]
fn corpus_loads_and_flags_exactly_what_chant_rejects() {
    let Some(root) = corpus() else { return };
    let entries = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("corpus at {} ({e}); set CHANT_CORPUS", root.display()));
    let mut workspaces = 0;
    let mut specs = 0;
    let mut flagged = BTreeSet::new();
    let mut expected = BTreeSet::new();
    for entry in entries.flatten() {
        if !entry.path().join(".chant").is_dir() {
            continue;
        }
        workspaces += 1;
        // As the server holds them: texts read again from disk when a rule needs them.
        let ws = Workspace::load_keeping(entry.path(), Arc::new(RealFs), false);
        assert!(
            diagnostics::check_config(&ws).is_empty(),
            "config problems in {}",
            entry.path().display()
        );
        for (key, file) in ws.specs() {
            specs += 1;
            let diags = diagnostics::check_spec(&ws, key);
            let src = file
                .source()
                .expect("the corpus does not change while read");
            if chant_rejects(src.text()) {
                expected.insert(file.path.clone());
            }
            let parse_level = diags.iter().any(|d| {
                d.severity == Severity::Error
                    && matches!(
                        d.code,
                        "parse-error" | "yaml-syntax" | "invalid-value" | "unreadable-file"
                    )
            });
            if parse_level {
                flagged.insert(file.path.clone());
            }
            // A spec chant loads never gets parse-error; one it cannot load always does.
            assert_eq!(
                file.loads,
                !diags.iter().any(|d| d.code == "parse-error"),
                "{}",
                file.path.display()
            );
        }
    }
    assert_eq!(workspaces, 11, "the corpus README lists 11 workspaces");
    assert_eq!(
        specs, 504,
        "166 active + 338 archived spec files, per the corpus README"
    );
    assert_eq!(flagged, expected);
    assert_eq!(
        expected.len(),
        10,
        "the 4 `docs` and 6 `implementation` specs"
    );
}
