//! The formats `check` writes, one finding at a time: nothing is collected first, so a
//! million findings cost the memory of one.

use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::diagnostics::catalogue::{self, CATALOGUE};
use crate::diagnostics::Severity;
use crate::syntax::TextRange;

use super::{Format, Reported};

/// How `text` looks: the source line under each finding (a terminal, or `--color
/// always`), and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub snippets: bool,
    pub color: bool,
}

pub struct Writer<'a> {
    format: Format,
    style: Style,
    out: &'a mut dyn Write,
    written: usize,
}

impl<'a> Writer<'a> {
    pub fn new(format: Format, style: Style, out: &'a mut dyn Write) -> Writer<'a> {
        Writer {
            format,
            style,
            out,
            written: 0,
        }
    }

    pub fn begin(&mut self) -> io::Result<()> {
        match self.format {
            Format::Json => write!(self.out, "["),
            Format::Sarif => sarif_begin(self.out),
            Format::Text | Format::Concise | Format::Github => Ok(()),
        }
    }

    /// One finding; `source` is the text of its file (for the snippet).
    pub fn finding(&mut self, r: &Reported, source: &str) -> io::Result<()> {
        let first = self.written == 0;
        self.written += 1;
        match self.format {
            Format::Text | Format::Concise => {
                writeln!(self.out, "{}", one_line(r, self.style.color))?;
                if self.format == Format::Text && self.style.snippets {
                    // A blank line between findings, as rustc does.
                    writeln!(
                        self.out,
                        "{}\n",
                        snippet(source, r.diag.range, r.diag.severity, self.style.color)
                    )?;
                }
                Ok(())
            }
            Format::Json => {
                if !first {
                    write!(self.out, ",")?;
                }
                write!(self.out, "\n{}", to_json(r))
            }
            Format::Sarif => {
                if !first {
                    write!(self.out, ",")?;
                }
                write!(self.out, "\n{}", sarif_result(r))
            }
            Format::Github => writeln!(self.out, "{}", github(r)),
        }
    }

    pub fn end(&mut self) -> io::Result<()> {
        match self.format {
            Format::Json => writeln!(self.out, "{}]", if self.written > 0 { "\n" } else { "" }),
            Format::Sarif => writeln!(self.out, "\n]}}]}}"),
            Format::Text | Format::Concise | Format::Github => Ok(()),
        }
    }
}

/// `path:line:col: severity[code]: message`, 1-based, columns in characters.
pub fn one_line(r: &Reported, color: bool) -> String {
    let ((line, col), _) = r.text_pos;
    let sev = r.diag.severity.as_str();
    let sev = if color {
        let paint = match r.diag.severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Information | Severity::Hint => "1;36",
        };
        format!("\x1b[{paint}m{sev}\x1b[0m")
    } else {
        sev.to_string()
    };
    format!(
        "{}:{}:{}: {sev}[{}]: {}",
        r.path,
        line + 1,
        col + 1,
        r.diag.code,
        r.diag.message
    )
}

/// At most this many source lines under a finding; a longer range is shown by its start.
const MAX_SNIPPET_LINES: usize = 6;

/// The lines of `source` the range covers, the range underlined (rustc's renderer).
pub fn snippet(source: &str, range: TextRange, severity: Severity, color: bool) -> String {
    let len = source.len();
    let mut start = range.start().min(len);
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = range.end().clamp(start, len);
    while !source.is_char_boundary(end) {
        end += 1;
    }
    let from = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let mut to = source[end..].find('\n').map_or(len, |i| end + i);
    if source[from..to].lines().count() > MAX_SNIPPET_LINES {
        to = source[start..].find('\n').map_or(len, |i| start + i);
        end = end.min(to);
    }
    let excerpt = source[from..to].trim_end_matches('\r');
    let end = end.min(from + excerpt.len()).max(start);
    let line_no = source[..from].matches('\n').count() + 1;
    let level = match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Information => Level::INFO,
        Severity::Hint => Level::HELP,
    };
    let report = &[Group::with_level(level).element(
        Snippet::source(excerpt)
            .line_start(line_no)
            .fold(false)
            .annotation(AnnotationKind::Primary.span(start - from..end - from)),
    )];
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.render(report)
}

pub fn to_json(r: &Reported) -> serde_json::Value {
    let ((sl, sc), (el, ec)) = r.lsp_range;
    serde_json::json!({
        "path": r.path,
        "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
        "severity": r.diag.severity.as_str(),
        "code": r.diag.code,
        "message": r.diag.message,
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

/// Everything before the results: one run, the tool and every rule of the catalogue.
fn sarif_begin(out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<serde_json::Value> = CATALOGUE
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.code,
                "shortDescription": {"text": c.summary},
                "fullDescription": {"text": c.summary},
                "help": {
                    "text": catalogue::explanation(c.code).unwrap_or(c.summary),
                    "markdown": catalogue::explanation(c.code).unwrap_or(c.summary),
                },
                "helpUri": catalogue::help_url(c.code),
                "defaultConfiguration": {"level": sarif_level(c.severity)},
            })
        })
        .collect();
    let tool = serde_json::json!({
        "driver": {
            "name": "chant-lsp",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": env!("CARGO_PKG_REPOSITORY"),
            "rules": rules,
        }
    });
    write!(
        out,
        "{{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{{\"tool\":{tool},\"columnKind\":\"utf16CodeUnits\",\"results\":["
    )
}

fn sarif_result(r: &Reported) -> serde_json::Value {
    let ((sl, sc), (el, ec)) = r.lsp_range;
    let rule_index = CATALOGUE.iter().position(|c| c.code == r.diag.code);
    let mut result = serde_json::json!({
        "ruleId": r.diag.code,
        "level": sarif_level(r.diag.severity),
        "message": {"text": r.diag.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri_path(&r.path)},
                "region": {
                    "startLine": sl + 1,
                    "startColumn": sc + 1,
                    "endLine": el + 1,
                    "endColumn": ec + 1,
                },
            }
        }],
    });
    if let (Some(i), Some(obj)) = (rule_index, result.as_object_mut()) {
        obj.insert("ruleIndex".into(), i.into());
    }
    result
}

/// A relative path as a URI reference: `/`-separated, reserved characters escaped.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A GitHub Actions workflow command: an annotation on the pull request.
fn github(r: &Reported) -> String {
    let ((sl, sc), (el, ec)) = r.text_pos;
    let command = match r.diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "notice",
    };
    format!(
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(&r.path),
        sl + 1,
        sc + 1,
        el + 1,
        ec + 1,
        escape_property(&format!("chant-lsp {}", r.diag.code)),
        escape_data(&r.diag.message)
    )
}

/// Workflow command message escaping (the runner's `escapeData`).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow command property escaping (the runner's `escapeProperty`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_valid_with_no_findings() {
        let style = Style {
            snippets: false,
            color: false,
        };
        for format in [Format::Json, Format::Sarif] {
            let mut out = Vec::new();
            let mut w = Writer::new(format, style, &mut out);
            assert!(w.begin().and_then(|()| w.end()).is_ok());
            let v: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
            let results = if format == Format::Json {
                &v
            } else {
                &v["runs"][0]["results"]
            };
            assert_eq!(results.as_array().map(Vec::len), Some(0), "{format:?}");
        }
    }

    #[test]
    fn github_escaping_follows_the_runner() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        // `:` and `,` are fine in the message.
        assert_eq!(escape_data("a: b, c"), "a: b, c");
    }

    #[test]
    fn uri_paths_escape_what_a_uri_reserves() {
        assert_eq!(
            uri_path(".chant/specs/a b#1.md"),
            ".chant/specs/a%20b%231.md"
        );
        assert_eq!(uri_path("é.md"), "%C3%A9.md");
    }

    #[test]
    fn snippets_underline_the_range_on_its_line() {
        let src = "---\ndepends_on: [005-k9w]\n---\n";
        let at = src.find("005").unwrap_or(0);
        let s = snippet(src, TextRange::new(at, at + 7), Severity::Error, false);
        let lines: Vec<&str> = s.lines().collect();
        let code = lines
            .iter()
            .position(|l| l.contains("depends_on: [005-k9w]"))
            .expect("the source line");
        assert!(lines[code].trim_start().starts_with("2 |"), "{s}");
        let marks = lines.get(code + 1).copied().unwrap_or_default();
        let col = lines[code].find("005").unwrap_or(0);
        assert_eq!(marks.find('^'), Some(col), "{s}");
        assert_eq!(marks.matches('^').count(), 7, "{s}");
        assert!(!s.contains("\x1b["), "plain without colour");
        assert!(snippet(src, TextRange::new(at, at + 7), Severity::Error, true).contains("\x1b["));
    }

    #[test]
    fn snippets_survive_odd_ranges() {
        let src = "é\r\nab";
        for (s, e) in [(0, 0), (1, 1), (0, 99), (99, 99), (3, 2), (4, 6)] {
            let out = snippet(src, TextRange::new(s, e), Severity::Warning, false);
            assert!(!out.is_empty(), "{s}..{e}");
        }
        let long = "x\n".repeat(100);
        let out = snippet(&long, TextRange::new(0, long.len()), Severity::Hint, false);
        assert!(out.lines().count() < 10, "{out}");
    }
}
