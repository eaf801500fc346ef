//! Robustness of the syntax layer and the document pipeline: arbitrary and pathological
//! input never panics, hangs or loops; incremental edits end where a fresh parse does.
//! Deterministic (a seeded generator), so a failure is reproducible; inputs that once
//! failed live in `tests/regressions/` and run here every time.

use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostics::check_spec;
use crate::ide;
use crate::lsp::document::{Change, Document};
use crate::model::vfs::MemFs;
use crate::model::Workspace;
use crate::syntax::{Encoding, LineIndex};

/// xorshift64*: small, seeded, good enough to wander through inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "---",
    "\n",
    "\r\n",
    "\r",
    " ",
    "  ",
    "\t",
    "-",
    "- ",
    ":",
    ": ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "# ",
    "## ",
    "## Acceptance Criteria",
    "- [ ]",
    "- [x]",
    "```",
    "'",
    "\"",
    "\\",
    "&a",
    "*a",
    "!tag",
    "|",
    ">",
    "%",
    "@",
    "`",
    "é",
    "😀",
    "\u{feff}",
    "\u{0}",
    "status",
    "type",
    "depends_on",
    "labels",
    "completed",
    "2026-01-24-001-cxn",
    "2026-01-24-001-cxn.2",
    "issue-42",
    "a",
    "0",
    "~",
    "null",
    "?",
    "...",
    // Unicode whitespace Rust's `trim` strips but YAML does not (a completion once
    // panicked on `a\u{a0}:x`), and control characters chant's YAML refuses.
    "\u{a0}",
    "\u{2028}",
    "\u{2029}",
    "\u{85}",
    "\u{3000}",
    "\u{1680}",
    "\u{b}",
    "\u{c}",
    "\u{200b}",
    "\u{1}",
    "\u{1b}",
    "\u{7f}",
    "\u{9f}",
    "\u{fffe}",
    "\u{ffff}",
];

fn random_text(rng: &mut Rng, pieces: usize) -> String {
    (0..pieces)
        .map(|_| PIECES[rng.below(PIECES.len())])
        .collect()
}

/// Everything a document goes through: parse, diagnostics, and the editor features at
/// several offsets (every character boundary of a short document). Must not panic; a
/// panic caught on the way (an `internal-error` diagnostic) fails too.
fn exercise(text: &str) {
    let offsets: Vec<usize> = if text.len() <= 256 {
        (0..=text.len())
            .filter(|&o| text.is_char_boundary(o))
            .collect()
    } else {
        let len = text.len();
        vec![0, 1, len / 3, len / 2, len.saturating_sub(1), len]
    };
    exercise_at(text, &offsets);
}

fn exercise_at(text: &str, offsets: &[usize]) {
    let path = PathBuf::from("/r/.chant/specs/2026-01-24-001-cxn.md");
    let other = PathBuf::from("/r/.chant/specs/2026-01-24-002-abc.md");
    let fs = MemFs::new([
        (path.clone(), text.to_string()),
        (
            other,
            "---\ndepends_on: [2026-01-24-001-cxn]\n---\n# B\n".into(),
        ),
    ]);
    let ws = Workspace::load(PathBuf::from("/r"), Arc::new(fs));
    let key = ws.key_of(&path).expect("indexed");
    let f = ws.get(key).expect("spec");
    for k in ws.specs().map(|(k, _)| k).collect::<Vec<_>>() {
        let diags = check_spec(&ws, k);
        let internal: Vec<_> = diags
            .iter()
            .filter(|d| d.code == "internal-error")
            .collect();
        assert!(internal.is_empty(), "{internal:?} on {text:?}");
    }
    let len = f.kept_text().unwrap().len();
    for &offset in offsets {
        let offset =
            crate::syntax::text::clamp_to_char_boundary(f.kept_text().unwrap(), offset.min(len));
        let _ = ide::hover::hover(&ws, key, offset);
        let _ = ide::completion::complete(&ws, key, offset);
        let _ = ide::navigation::definition(&ws, key, offset);
        let _ = ide::rename::prepare(&ws, key, offset);
    }
    let _ = ide::outline::document_symbols(&ws, key);
    let _ = ide::outline::folding_ranges(&ws, key);
    let _ = ide::hints::inlay_hints(&ws, key, crate::syntax::TextRange::new(0, len));
    let _ = ide::hints::code_lenses(&ws, key);
    let lines = LineIndex::new(f.kept_text().unwrap());
    for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
        let (l, c) = lines.position(f.kept_text().unwrap(), len, enc);
        assert_eq!(lines.offset(f.kept_text().unwrap(), l, c, enc), len);
    }
}

#[test]
fn random_documents_never_panic() {
    let mut rng = Rng(0x5eed_c4a9_7000_0001);
    for _ in 0..3000 {
        let n = rng.below(60);
        let text = random_text(&mut rng, n);
        exercise(&text);
    }
}

#[test]
fn arbitrary_bytes_are_decoded_or_refused() {
    let mut rng = Rng(42);
    for _ in 0..2000 {
        let bytes: Vec<u8> = (0..rng.below(200)).map(|_| rng.next() as u8).collect();
        match crate::model::vfs::decode(bytes) {
            Ok(text) => exercise(&text),
            Err(msg) => assert!(msg.contains("not valid UTF-8"), "{msg}"),
        }
    }
}

#[test]
fn pathological_documents_are_handled() {
    let deep_flow = format!("---\nlabels: {}\n---\n# T\n", "[".repeat(10_000));
    let deep_block: String = (0..10_000)
        .map(|i| format!("{}k:\n", " ".repeat(i.min(2000))))
        .collect();
    let deep_block = format!("---\n{deep_block}---\n# T\n");
    let big_body = format!(
        "---\ntype: code\n---\n# Big\n{}",
        "line of agent output 2026-01-24-001-cxn - [ ] x\n".repeat(1_100_000)
    );
    assert!(big_body.len() > 50 * 1024 * 1024);
    let no_end = format!("---\ntype: code\n{}", "status: pending\n".repeat(1000));
    let crlf = "---\r\ntype: code\r\nstatus: completed\r\n---\r\n# T\r\n## Acceptance Criteria\r\n- [ ] a\r\n";
    let bom = "\u{feff}---\ntype: code\n---\n# T\n";
    let long_line = format!(
        "---\ntitle: {}\n---\n# {}\n",
        "x".repeat(1_000_000),
        "é".repeat(100_000)
    );
    for text in [
        deep_flow.as_str(),
        &deep_block,
        &big_body,
        &no_end,
        crlf,
        bom,
        &long_line,
    ] {
        let started = std::time::Instant::now();
        exercise(text);
        // Not a performance assertion: a guard against quadratic blow-ups and hangs.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn inputs_that_once_failed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/regressions") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md")
            && path.file_name().is_some_and(|n| n != "README.md")
        {
            let bytes = std::fs::read(&path).expect("read");
            if let Ok(text) = crate::model::vfs::decode(bytes) {
                exercise(&text);
            }
            n += 1;
        }
    }
    assert!(n >= 4, "regression inputs missing");
}

/// Any sequence of incremental edits leaves the server's text and diagnostics equal to
/// those of a fresh parse of the final text.
#[test]
fn incremental_edits_equal_a_fresh_parse() {
    let mut rng = Rng(7);
    let path = PathBuf::from("/r/.chant/specs/2026-01-24-001-cxn.md");
    let start = "---\ntype: code\nstatus: pending\ndepends_on: [2026-01-24-002-abc]\nlabels: [é, issue-7]\n---\n# Title 😀\n\n## Acceptance Criteria\n- [ ] one\n";
    for round in 0..60 {
        let enc = [Encoding::Utf16, Encoding::Utf8][round % 2];
        let fs = Arc::new(MemFs::new([(path.clone(), start.to_string())]));
        let mut ws = Workspace::load(PathBuf::from("/r"), fs.clone());
        let mut doc = Document::new(start, 1);
        let mut expected = start.to_string();
        for _ in 0..40 {
            // A random range in the current text (sometimes past line ends, as clients send).
            let lines = LineIndex::new(&expected);
            let pick = |rng: &mut Rng| {
                let line = rng.below(lines.line_count() + 1) as u32;
                let col = rng.below(30) as u32;
                (line, col)
            };
            let (a, b) = (pick(&mut rng), pick(&mut rng));
            let (s, e) = if a <= b { (a, b) } else { (b, a) };
            let n = rng.below(4);
            let text = random_text(&mut rng, n);
            // The reference: the LSP rules applied to a plain string.
            let so = lines.offset(&expected, s.0, s.1, enc);
            let eo = lines.offset(&expected, e.0, e.1, enc).max(so);
            expected.replace_range(so..eo, &text);
            doc.apply(
                &Change {
                    range: Some((s, e)),
                    text: &text,
                },
                enc,
            );
            assert_eq!(doc.text(), expected, "round {round}");
            ws.update(&path, Some(doc.text()));
        }
        let key = ws.key_of(&path).unwrap();
        let incremental = format!("{:?}", check_spec(&ws, key));
        fs.write(&path, expected.clone().into_bytes());
        let fresh_ws = Workspace::load(PathBuf::from("/r"), fs);
        let fresh = format!(
            "{:?}",
            check_spec(&fresh_ws, fresh_ws.key_of(&path).unwrap())
        );
        assert_eq!(incremental, fresh, "round {round}");
    }
}
