//! `chant-lsp check`: the same diagnostics as the server, for CI and the terminal; and
//! `chant-lsp explain`.

pub mod fix;
pub mod output;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::{self, catalogue, Diagnostic, Severity};
use crate::model::vfs::RealFs;
use crate::model::workspace::find_root;
use crate::model::{Location, SpecKey, Workspace};
use crate::syntax::{Encoding, LineIndex};

use output::{Style, Writer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Concise,
    Json,
    Sarif,
    Github,
}

impl Format {
    /// Every format by its `--format` name.
    pub const NAMES: [(&'static str, Format); 5] = [
        ("text", Format::Text),
        ("concise", Format::Concise),
        ("json", Format::Json),
        ("sarif", Format::Sarif),
        ("github", Format::Github),
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub path: PathBuf,
    pub format: Format,
    pub include_archive: bool,
    pub color: Color,
    /// Apply the safe fixes and write the files.
    pub fix: bool,
    /// Also apply fixes that are guesses (did-you-mean, inferred values).
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them.
    pub diff: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            path: PathBuf::from("."),
            format: Format::Text,
            include_archive: false,
            color: Color::Auto,
            fix: false,
            unsafe_fixes: false,
            diff: false,
        }
    }
}

pub const USAGE: &str = "chant-lsp check [PATH] [--format text|concise|json|sarif|github]
                [--color auto|always|never] [--include-archive]
                [--fix [--unsafe-fixes]] [--diff]";

/// Parses `check`'s arguments (after the word `check`); `Ok(None)` means `--help`.
pub fn parse_args(args: &[String]) -> Result<Option<Options>, String> {
    let mut opts = Options::default();
    let mut path_set = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{name} takes {what}"))
        };
        match name {
            "--format" => {
                let v = value("a format")?;
                opts.format = Format::NAMES
                    .iter()
                    .find(|(n, _)| *n == v)
                    .map(|(_, f)| *f)
                    .ok_or_else(|| {
                        format!("--format takes `text`, `concise`, `json`, `sarif` or `github`, not `{v}`")
                    })?;
            }
            "--color" => {
                opts.color = match value("`auto`, `always` or `never`")?.as_str() {
                    "auto" => Color::Auto,
                    "always" => Color::Always,
                    "never" => Color::Never,
                    v => {
                        return Err(format!(
                            "--color takes `auto`, `always` or `never`, not `{v}`"
                        ))
                    }
                }
            }
            "--include-archive" => opts.include_archive = true,
            "--fix" => opts.fix = true,
            "--unsafe-fixes" => opts.unsafe_fixes = true,
            "--diff" => opts.diff = true,
            "-h" | "--help" => return Ok(None),
            s if s.starts_with('-') && s != "-" => return Err(format!("unknown option `{s}`")),
            s if !path_set => {
                opts.path = PathBuf::from(s);
                path_set = true;
            }
            s => return Err(format!("unexpected argument `{s}`")),
        }
    }
    if opts.unsafe_fixes && !opts.fix && !opts.diff {
        return Err("--unsafe-fixes goes with --fix or --diff".into());
    }
    if opts.fix && opts.diff {
        return Err("--diff shows the fixes without writing them: use it instead of --fix".into());
    }
    Ok(Some(opts))
}

/// One reported diagnostic with its file, positions resolved.
pub struct Reported {
    pub path: String,
    /// 0-based line and character (Unicode scalar) column, for people.
    pub text_pos: ((u32, u32), (u32, u32)),
    /// 0-based line and UTF-16 column, as LSP and SARIF count.
    pub lsp_range: ((u32, u32), (u32, u32)),
    pub diag: Diagnostic,
}

/// `n thing` or `n things`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The workspace (the folder holding `.chant/`) at or above a command-line path, or the
/// one-line reason there is none; `command` names the subcommand in that reason.
pub fn workspace_root(command: &str, path: &Path) -> Result<PathBuf, String> {
    let start = std::fs::canonicalize(path)
        .map_err(|e| format!("chant-lsp {command}: cannot read {}: {e}", path.display()))?;
    let dir = if start.is_dir() {
        start.clone()
    } else {
        start.parent().map_or(start.clone(), Path::to_path_buf)
    };
    find_root(&dir).ok_or_else(|| {
        format!(
            "chant-lsp {command}: no .chant/ directory at or above {}",
            path.display()
        )
    })
}

/// Specs per parallel batch: results are written batch by batch, so memory holds one
/// batch's findings, not the whole run's.
const BATCH: usize = 256;

/// Exit codes: 0 clean (warnings allowed), 1 errors found (with `--diff`: fixes to
/// apply), 2 could not run.
pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let root = match workspace_root("check", &opts.path) {
        Ok(root) => root,
        Err(why) => {
            let _ = writeln!(err, "{why}");
            return 2;
        }
    };
    let mut ws = crate::actions::load_workspace(root, Arc::new(RealFs), true);
    if opts.fix || opts.diff {
        let changed = fix::fix_all(&mut ws, opts.include_archive, opts.unsafe_fixes);
        let fixes: usize = changed.iter().map(|c| c.applied.len()).sum();
        if opts.diff {
            let written = changed
                .iter()
                .try_for_each(|c| write!(out, "{}", fix::unified_diff(c)));
            if let Some(code) = write_failed(written, err) {
                return code;
            }
            let _ = writeln!(
                err,
                "chant-lsp: {} would fix {} in {}",
                if fixes == 0 {
                    "--diff:"
                } else {
                    "--diff (nothing written):"
                },
                count(fixes, "finding", "findings"),
                count(changed.len(), "file", "files")
            );
            return i32::from(fixes > 0);
        }
        let mut failed = false;
        for c in &changed {
            match fix::write_atomically(&c.path, &c.before, &c.after) {
                Ok(()) => {
                    for a in &c.applied {
                        let _ =
                            writeln!(err, "fixed {}:{}: {}: {}", c.rel, a.line, a.code, a.title);
                    }
                }
                Err(e) => {
                    failed = true;
                    let _ = writeln!(err, "chant-lsp check: cannot write {}: {e}", c.rel);
                }
            }
        }
        if failed {
            return 2;
        }
        let _ = writeln!(
            err,
            "chant-lsp: fixed {} in {}",
            count(fixes, "finding", "findings"),
            count(changed.len(), "file", "files")
        );
    }
    let style = style(opts.color, std::io::stdout().is_terminal());
    let mut writer = Writer::new(opts.format, style, out);
    let mut tally = Tally::default();
    // Flushed before the summary, so a terminal shows the summary last.
    let written =
        report(&ws, opts.include_archive, &mut writer, &mut tally).and_then(|()| out.flush());
    if let Some(code) = write_failed(written, err) {
        return code;
    }
    let specs = ws
        .specs()
        .filter(|(_, f)| opts.include_archive || f.location == Location::Active)
        .count();
    let remaining = if opts.fix { " remaining" } else { "" };
    let _ = writeln!(
        err,
        "chant-lsp: {} checked: {}{remaining}, {}",
        count(specs, "spec", "specs"),
        count(tally.errors, "error", "errors"),
        count(tally.warnings, "warning", "warnings")
    );
    // The process exits next and the system takes the memory back at once: freeing a
    // workspace spec by spec would cost a large one a tenth of the run.
    std::mem::forget(ws);
    i32::from(tally.errors > 0)
}

/// Whether text output shows snippets and colour: a terminal, or `--color always`
/// (CI logs render colour); `NO_COLOR` turns colour off unless asked for.
pub fn style(color: Color, terminal: bool) -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match color {
        Color::Always => Style {
            snippets: true,
            color: true,
        },
        Color::Never => Style {
            snippets: terminal,
            color: false,
        },
        Color::Auto => Style {
            snippets: terminal,
            color: terminal && !no_color,
        },
    }
}

/// A closed pipe (`| head`) is not worth a message; anything else exits 2.
fn write_failed(r: std::io::Result<()>, err: &mut dyn Write) -> Option<i32> {
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            let _ = writeln!(err, "chant-lsp check: cannot write output: {e}");
            Some(2)
        }
        _ => None,
    }
}

#[derive(Default)]
struct Tally {
    errors: usize,
    warnings: usize,
}

/// Writes every finding in the order of every format: specs by path, each spec's by
/// position, then the configuration files'.
fn report(
    ws: &Workspace,
    include_archive: bool,
    w: &mut Writer,
    tally: &mut Tally,
) -> std::io::Result<()> {
    let mut specs: Vec<(SpecKey, &str)> = ws
        .specs()
        .filter(|(_, f)| include_archive || f.location == Location::Active)
        .map(|(k, f)| (k, f.rel.as_str()))
        .collect();
    specs.sort_by(|a, b| a.1.cmp(b.1));
    w.begin()?;
    let mut emit = |w: &mut Writer, r: Reported, text: &str| {
        match r.diag.severity {
            Severity::Error => tally.errors += 1,
            Severity::Warning => tally.warnings += 1,
            Severity::Information | Severity::Hint => {}
        }
        w.finding(&r, text)
    };
    for batch in specs.chunks(BATCH) {
        // Each spec's diagnostics are independent: spread them over the cores, keep the order.
        let found = crate::par::flat_map(batch, |(key, _)| {
            Some((*key, diagnostics::check_spec_files(ws, *key)))
        });
        for (key, diags) in found {
            let Some(file) = ws.get(key) else { continue };
            let Some(src) = file.source() else { continue };
            for d in diags {
                emit(
                    w,
                    resolve(&file.rel, src.text(), src.lines(), d),
                    src.text(),
                )?;
            }
        }
    }
    for (path, diags) in diagnostics::check_config(ws) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let lines = LineIndex::new(&text);
        let rel = ws.rel(&path);
        for d in diags {
            emit(w, resolve(&rel, &text, &lines, d), &text)?;
        }
    }
    w.end()
}

/// Every finding of the workspace, in report order (for tests and tools; `check` itself
/// streams them).
pub fn collect(ws: &Workspace, include_archive: bool) -> Vec<Reported> {
    let mut specs: Vec<_> = ws
        .specs()
        .filter(|(_, f)| include_archive || f.location == Location::Active)
        .collect();
    specs.sort_by(|a, b| a.1.rel.cmp(&b.1.rel));
    let mut reported: Vec<Reported> = crate::par::flat_map(&specs, |(key, file)| {
        let Some(src) = file.source() else {
            return Vec::new();
        };
        diagnostics::check_spec_files(ws, *key)
            .into_iter()
            .map(|d| resolve(&file.rel, src.text(), src.lines(), d))
            .collect::<Vec<_>>()
    });
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

/// `chant-lsp explain [CODE]`: a code's entry of `docs/diagnostics.md` (the text the
/// published page shows), or every code when none is given. Unknown: exit 2 with the
/// nearest codes.
pub fn explain(code: Option<&str>, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let Some(code) = code else {
        for c in catalogue::CATALOGUE {
            let _ = writeln!(
                out,
                "{:<30} {:<11} {}",
                c.code,
                c.severity.as_str(),
                c.summary
            );
        }
        let _ = writeln!(
            out,
            "\n`chant-lsp explain CODE` for one; all: {}",
            catalogue::DOCS_URL
        );
        return 0;
    };
    let Some(info) = catalogue::lookup(code) else {
        let near = catalogue::nearest(code);
        let _ = writeln!(
            err,
            "chant-lsp explain: no diagnostic code `{code}`; nearest: {}\n(`chant-lsp explain` lists them all)",
            near.join(", ")
        );
        return 2;
    };
    let text = catalogue::explanation(code).unwrap_or(info.summary);
    let written = writeln!(
        out,
        "{code}: {}\n\n{text}\n\n{}",
        info.summary,
        catalogue::help_url(code)
    );
    i32::from(written.is_err()) * 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Result<Option<Options>, String> {
        parse_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn arguments_in_both_spellings() {
        let o = args(&["dir", "--format=sarif", "--color", "never", "--fix"])
            .ok()
            .flatten()
            .expect("options");
        assert_eq!(o.path, PathBuf::from("dir"));
        assert_eq!(
            (o.format, o.color, o.fix),
            (Format::Sarif, Color::Never, true)
        );
        for (name, f) in Format::NAMES {
            let o = args(&["--format", name]).ok().flatten().expect("options");
            assert_eq!(o.format, f);
        }
        assert!(args(&["--format", "yaml"]).is_err());
        assert!(args(&["--format"]).is_err());
        assert!(args(&["--unsafe-fixes"]).is_err());
        assert!(args(&["--fix", "--diff"]).is_err());
        assert!(args(&["a", "b"]).is_err());
        assert_eq!(args(&["--help"]), Ok(None));
    }

    #[test]
    fn words_agree_with_numbers() {
        assert_eq!(count(1, "warning", "warnings"), "1 warning");
        assert_eq!(count(2, "warning", "warnings"), "2 warnings");
        assert_eq!(count(0, "error", "errors"), "0 errors");
        assert_eq!(count(1, "spec", "specs"), "1 spec");
    }

    #[test]
    fn colour_and_snippets_by_flag_and_terminal() {
        assert!(!style(Color::Never, true).color);
        assert!(style(Color::Never, true).snippets);
        assert!(!style(Color::Auto, false).snippets);
        assert!(style(Color::Always, false).color && style(Color::Always, false).snippets);
    }

    #[test]
    fn explain_known_and_unknown() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(explain(Some("byte-order-mark"), &mut out, &mut err), 0);
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("byte-order-mark: a BOM hides"), "{text}");
        assert!(text.contains("Quick fix: remove the BOM."), "{text}");
        assert!(text
            .trim_end()
            .ends_with("/blob/main/docs/diagnostics.md#byte-order-mark"));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(explain(Some("byte-order-marks"), &mut out, &mut err), 2);
        assert!(out.is_empty());
        assert!(String::from_utf8_lossy(&err).contains("nearest: byte-order-mark"));
    }
}
