use std::process::ExitCode;

use chant_lsp::check;

const USAGE: &str = "chant-lsp: language server and linter for chant spec files

Usage:
  chant-lsp [serve] [--stdio] [--log-level LEVEL]
                                   speak the Language Server Protocol on stdin/stdout;
                                   logs on stderr (warn; or CHANT_LSP_LOG=debug, ...)
  chant-lsp check [PATH] [--format text|concise|json|sarif|github]
                  [--color auto|always|never] [--include-archive]
                  [--fix [--unsafe-fixes] | --diff]
                                   lint the chant workspace at or above PATH (default: .)
  chant-lsp explain [CODE]         what a diagnostic code means, why, an example, the fix
  chant-lsp graph [PATH] [--issue N] [--format mermaid|dot]
                                   print the dependency graph (Mermaid by default)
  chant-lsp --version | --help

check prints one line per diagnostic, `path:line:col: severity[code]: message`
(1-based line and column, paths relative to the workspace root), with the source line
underlined in a terminal (`concise`: the line alone). `json`: an array with LSP ranges
(0-based, UTF-16); `sarif`: SARIF 2.1.0 for code scanning; `github`: workflow commands
that annotate a pull request. Archived specs are skipped unless --include-archive.
--fix applies the fixes that need no judgement (the full ID for a short dependency ID,
spaces for tabs, removing a BOM) and writes the files; --unsafe-fixes adds guesses
(did-you-mean); --diff prints them as a diff instead. Exit status: 0 no errors, 1 errors
(remaining after --fix; with --diff: something to fix), 2 could not run.

Diagnostic codes: `chant-lsp explain CODE`, or ";

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
            println!("{USAGE}{}", chant_lsp::diagnostics::catalogue::DOCS_URL);
            ExitCode::SUCCESS
        }
        Some("check") => {
            let opts = match check::parse_args(&args[1..]) {
                Ok(Some(opts)) => opts,
                Ok(None) => {
                    println!("{USAGE}{}", chant_lsp::diagnostics::catalogue::DOCS_URL);
                    return ExitCode::SUCCESS;
                }
                Err(msg) => return usage_error(&msg),
            };
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
        Some("explain") => {
            if args.len() > 2 {
                return usage_error("explain takes one code");
            }
            let code = check::explain(
                args.get(1).map(String::as_str),
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            );
            ExitCode::from(code as u8)
        }
        Some(other) => usage_error(&format!("unknown command `{other}`")),
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!(
        "chant-lsp: {msg}\n\n{USAGE}{}",
        chant_lsp::diagnostics::catalogue::DOCS_URL
    );
    ExitCode::from(2)
}
