use std::path::PathBuf;
use std::process::ExitCode;

use chant_lsp::check::{self, Format, Options};

const USAGE: &str = "chant-lsp: language server and linter for chant spec files

Usage:
  chant-lsp [serve] [--stdio] [--log-level LEVEL]
                                   speak the Language Server Protocol on stdin/stdout;
                                   logs on stderr (warn; or CHANT_LSP_LOG=debug, ...)
  chant-lsp check [PATH] [--format text|json] [--include-archive]
                                   lint the chant workspace at or above PATH (default: .)
  chant-lsp graph [PATH] [--issue N] [--format mermaid|dot]
                                   print the dependency graph (Mermaid by default)
  chant-lsp --version | --help

check prints one line per diagnostic, `path:line:col: severity[code]: message`
(1-based line and column, paths relative to the workspace root), or a JSON array with
--format json (LSP ranges: 0-based, UTF-16). Archived specs are skipped unless
--include-archive is given. Exit status: 0 no errors, 1 errors, 2 could not run.

Diagnostic codes: docs/diagnostics.md";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let first = args.first().map(String::as_str);
    match first {
        None | Some("serve") | Some("--stdio") | Some("--log-level") => {
            let mut log_level = None;
            let mut it = args.iter().skip(usize::from(first == Some("serve")));
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--stdio" => {}
                    "--log-level" => match it.next() {
                        Some(level) => log_level = Some(level.as_str()),
                        None => return usage_error("--log-level takes a level, e.g. `debug`"),
                    },
                    s if s.starts_with("--log-level=") => log_level = s.get(12..),
                    bad => return usage_error(&format!("unexpected argument `{bad}`")),
                }
            }
            chant_lsp::lsp::serve_stdio(log_level)
        }
        Some("--version") | Some("-V") | Some("version") => {
            println!("chant-lsp {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help") | Some("-h") | Some("help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some("check") => {
            let mut opts = Options {
                path: PathBuf::from("."),
                format: Format::Text,
                include_archive: false,
            };
            let mut path_set = false;
            let mut it = args[1..].iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--format" => match it.next().map(String::as_str) {
                        Some("json") => opts.format = Format::Json,
                        Some("text") => opts.format = Format::Text,
                        other => {
                            return usage_error(&format!(
                                "--format takes `text` or `json`, not `{}`",
                                other.unwrap_or("")
                            ))
                        }
                    },
                    "--format=json" => opts.format = Format::Json,
                    "--format=text" => opts.format = Format::Text,
                    "--include-archive" => opts.include_archive = true,
                    "-h" | "--help" => {
                        println!("{USAGE}");
                        return ExitCode::SUCCESS;
                    }
                    s if s.starts_with('-') => {
                        return usage_error(&format!("unknown option `{s}`"))
                    }
                    s if !path_set => {
                        opts.path = PathBuf::from(s);
                        path_set = true;
                    }
                    s => return usage_error(&format!("unexpected argument `{s}`")),
                }
            }
            // One write per line would cost a system call per diagnostic.
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let code = check::run(&opts, &mut out, &mut std::io::stderr().lock());
            if let Err(e) = std::io::Write::flush(&mut out) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("chant-lsp check: cannot write output: {e}");
                    return ExitCode::from(2);
                }
            }
            ExitCode::from(code as u8)
        }
        Some("graph") => match chant_lsp::graph::parse_args(&args[1..]) {
            Ok(opts) => ExitCode::from(chant_lsp::graph::run(
                &opts,
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            ) as u8),
            Err(msg) => usage_error(&msg),
        },
        Some(other) => usage_error(&format!("unknown command `{other}`")),
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("chant-lsp: {msg}\n\n{USAGE}");
    ExitCode::from(2)
}
