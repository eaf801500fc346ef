//! `chant-lsp check`: the same diagnostics as the server, for CI and the terminal.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::{self, Diagnostic, Severity};
use crate::model::vfs::RealFs;
use crate::model::workspace::find_root;
use crate::model::{Location, Workspace};
use crate::syntax::{Encoding, LineIndex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

pub struct Options {
    pub path: PathBuf,
    pub format: Format,
    pub include_archive: bool,
}

/// One reported diagnostic with its file, positions resolved.
pub struct Reported {
    pub path: String,
    pub text_pos: ((u32, u32), (u32, u32)),
    pub lsp_range: ((u32, u32), (u32, u32)),
    pub diag: Diagnostic,
}

/// Exit codes: 0 clean (warnings allowed), 1 errors found, 2 could not run.
pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let start = match std::fs::canonicalize(&opts.path) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(
                err,
                "chant-lsp check: cannot read {}: {e}",
                opts.path.display()
            );
            return 2;
        }
    };
    let dir = if start.is_dir() {
        start.clone()
    } else {
        start.parent().map_or(start.clone(), Path::to_path_buf)
    };
    let Some(root) = find_root(&dir) else {
        let _ = writeln!(
            err,
            "chant-lsp check: no .chant/ directory at or above {}",
            opts.path.display()
        );
        return 2;
    };
    let ws = crate::actions::load_workspace(root, Arc::new(RealFs));
    let reported = collect(&ws, opts.include_archive);
    let errors = reported
        .iter()
        .filter(|r| r.diag.severity == Severity::Error)
        .count();
    let warnings = reported
        .iter()
        .filter(|r| r.diag.severity == Severity::Warning)
        .count();
    let written = match opts.format {
        Format::Text => reported.iter().try_for_each(|r| {
            let ((line, col), _) = r.text_pos;
            writeln!(
                out,
                "{}:{}:{}: {}[{}]: {}",
                r.path,
                line + 1,
                col + 1,
                r.diag.severity.as_str(),
                r.diag.code,
                r.diag.message
            )
        }),
        Format::Json => {
            let arr: Vec<serde_json::Value> = reported.iter().map(to_json).collect();
            writeln!(out, "{}", serde_json::Value::Array(arr))
        }
    };
    if let Err(e) = written {
        // A closed pipe (`| head`) is not worth a panic.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = writeln!(err, "chant-lsp check: cannot write output: {e}");
            return 2;
        }
    }
    let specs = ws
        .specs()
        .filter(|(_, f)| opts.include_archive || f.location == Location::Active)
        .count();
    let _ = writeln!(
        err,
        "chant-lsp: {specs} specs checked: {errors} errors, {warnings} warnings"
    );
    i32::from(errors > 0)
}

pub fn collect(ws: &Workspace, include_archive: bool) -> Vec<Reported> {
    let mut reported = Vec::new();
    let mut specs: Vec<_> = ws
        .specs()
        .filter(|(_, f)| include_archive || f.location == Location::Active)
        .collect();
    specs.sort_by(|a, b| a.1.rel.cmp(&b.1.rel));
    // Each spec's diagnostics are independent: spread them over the cores, keep the order.
    reported.extend(crate::par::flat_map(&specs, |(key, file)| {
        diagnostics::check_spec(ws, *key)
            .into_iter()
            .map(|d| resolve(&file.rel, &file.text, file.lines(), d))
            .collect::<Vec<_>>()
    }));
    for (path, diags) in diagnostics::check_config(ws) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let lines = LineIndex::new(&text);
        for d in diags {
            reported.push(resolve(&ws.rel(&path), &text, &lines, d));
        }
    }
    reported
}

fn resolve(path: &str, text: &str, lines: &LineIndex, diag: Diagnostic) -> Reported {
    let pos = |enc| {
        (
            lines.position(text, diag.range.start(), enc),
            lines.position(text, diag.range.end(), enc),
        )
    };
    Reported {
        path: path.to_string(),
        text_pos: pos(Encoding::Utf32),
        lsp_range: pos(Encoding::Utf16),
        diag,
    }
}

fn to_json(r: &Reported) -> serde_json::Value {
    let ((sl, sc), (el, ec)) = r.lsp_range;
    serde_json::json!({
        "path": r.path,
        "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
        "severity": r.diag.severity.as_str(),
        "code": r.diag.code,
        "message": r.diag.message,
    })
}
