//! Every real workspace in `../shared/corpus/` loads without a crash, and the only
//! parse-level errors are on the specs chant itself cannot parse (chant-format §3.3:
//! the retired `type` values `docs`, `conflict`, `implementation`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chant_lsp::diagnostics::{self, Severity};
use chant_lsp::model::vfs::RealFs;
use chant_lsp::model::Workspace;

fn corpus() -> PathBuf {
    match std::env::var_os("CHANT_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
    }
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
    let root = corpus();
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
        let ws = Workspace::load(entry.path(), Arc::new(RealFs));
        assert!(
            diagnostics::check_config(&ws).is_empty(),
            "config problems in {}",
            entry.path().display()
        );
        for (key, file) in ws.specs() {
            specs += 1;
            let diags = diagnostics::check_spec(&ws, key);
            if chant_rejects(&file.text) {
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
