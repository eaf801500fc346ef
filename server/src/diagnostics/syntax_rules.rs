//! What stops chant from reading a spec at all, at the exact position.

use crate::model::schema::ProblemKind;
use crate::syntax::edit::Edit;
use crate::syntax::TextRange;

use super::{Related, Sink};

pub(super) fn check(s: &mut Sink) {
    let file = s.file;
    if let Some(err) = &file.read_error {
        let code = if err.starts_with(super::INTERNAL_ERROR) {
            "internal-error"
        } else {
            "unreadable-file"
        };
        s.push(code, TextRange::empty(0), err.clone());
        return;
    }
    let split = &file.syntax.split;
    if split.bom {
        s.push(
            "byte-order-mark",
            TextRange::new(0, 3),
            "the file starts with a byte-order mark: chant then does not see the frontmatter and uses default type and status",
        )
        .fixes
        .push(super::Fix { title: "Remove the byte-order mark".into(), edits: vec![Edit::replace(TextRange::new(0, 3), "")], safe: true, delete: None });
    }
    if let Some(open) = split.unclosed_open {
        s.push(
            "unclosed-frontmatter",
            open,
            "this `---` opens a frontmatter that is never closed: chant reads the whole file as the body and uses default type and status",
        );
    }
    let Some(fm) = file.syntax.frontmatter() else {
        return;
    };
    let text = s.text();
    let line_of = |at: usize| text[..at].matches('\n').count();
    for tab in &fm.tab_indents {
        let spaces = "  ".repeat(text[tab.start()..tab.end()].matches('\t').count())
            + &text[tab.start()..tab.end()].replace('\t', "");
        s.push(
            "invalid-value",
            *tab,
            "tab used for indentation: YAML forbids tabs there, and chant refuses to load this spec",
        )
        .fixes
        .push(super::Fix { title: "Indent with spaces".into(), edits: vec![Edit::replace(*tab, spaces)], safe: true, delete: None });
    }
    if let Some(err) = &fm.error {
        let on_tab_line = fm
            .tab_indents
            .iter()
            .any(|t| line_of(t.start()) == line_of(err.range.start()));
        if !on_tab_line {
            s.push(
                "yaml-syntax",
                err.range,
                format!("{}; chant refuses to load this spec", err.message),
            );
        }
    }
    for p in &file.problems {
        let code = match p.kind {
            ProblemKind::UnknownKey => "unknown-field",
            ProblemKind::Invalid | ProblemKind::DuplicateKey => "invalid-value",
        };
        let d = s.push(code, p.range, p.message.clone());
        for sug in &p.suggestions {
            let verb = if code == "unknown-field" {
                "Rename to"
            } else {
                "Change to"
            };
            d.fixes.push(super::Fix {
                title: format!("{verb} `{sug}`"),
                edits: vec![Edit::replace(p.range, sug.clone())],
                safe: false,
                delete: None,
            });
        }
    }
    if !file.loads {
        let related: Vec<Related> = s
            .out
            .iter()
            .filter(|d| matches!(d.code, "invalid-value" | "yaml-syntax"))
            .map(|d| Related {
                path: file.path.clone(),
                range: d.range,
                message: d.message.clone(),
            })
            .collect();
        let d = s.push(
            "parse-error",
            fm.open,
            "chant cannot load this spec (\"Invalid YAML frontmatter\"): every chant command skips it, and specs that depend on it see an unknown dependency",
        );
        d.related = related;
    }
}
