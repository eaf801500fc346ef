//! `chant-lsp graph [PATH] [--issue N] [--format mermaid|dot]`: the dependency graph as
//! Mermaid (which GitHub renders in issues and PR descriptions) or Graphviz DOT.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use crate::ide::graph::{render, Format};
use crate::model::vfs::RealFs;

#[derive(Debug, PartialEq)]
pub struct Options {
    pub path: PathBuf,
    pub issue: Option<u64>,
    pub format: Format,
}

/// The options, or the reason they are wrong.
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut opts = Options {
        path: PathBuf::from("."),
        issue: None,
        format: Format::Mermaid,
    };
    let mut path_set = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next().cloned());
        match flag {
            "--format" => {
                opts.format = match value().as_deref() {
                    Some("mermaid") => Format::Mermaid,
                    Some("dot") => Format::Dot,
                    other => {
                        return Err(format!(
                            "--format takes `mermaid` or `dot`, not `{}`",
                            other.unwrap_or("")
                        ))
                    }
                }
            }
            "--issue" => {
                let v = value().unwrap_or_default();
                let n = v
                    .trim_start_matches('#')
                    .parse::<u64>()
                    .map_err(|_| format!("--issue takes an issue number, not `{v}`"))?;
                opts.issue = Some(n);
            }
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`")),
            s if !path_set => {
                opts.path = PathBuf::from(s);
                path_set = true;
            }
            s => return Err(format!("unexpected argument `{s}`")),
        }
    }
    Ok(opts)
}

/// Exit codes: 0 printed, 2 could not run.
pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let root = match crate::check::workspace_root("graph", &opts.path) {
        Ok(root) => root,
        Err(why) => {
            let _ = writeln!(err, "{why}");
            return 2;
        }
    };
    let ws = crate::actions::load_workspace(root, Arc::new(RealFs), false);
    if let Some(n) = opts.issue {
        if ws.issue_specs(n).next().is_none() {
            let _ = writeln!(err, "chant-lsp graph: no spec belongs to issue #{n}");
            return 2;
        }
    }
    match out.write_all(render(&ws, opts.issue, opts.format).as_bytes()) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = writeln!(err, "chant-lsp graph: cannot write output: {e}");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn options() {
        assert_eq!(
            parse_args(&args("examples/kvstore --issue 1234 --format dot")),
            Ok(Options {
                path: "examples/kvstore".into(),
                issue: Some(1234),
                format: Format::Dot
            })
        );
        assert_eq!(
            parse_args(&args("--issue=#7 --format=mermaid")).map(|o| o.issue),
            Ok(Some(7))
        );
        assert!(parse_args(&args("--format svg"))
            .unwrap_err()
            .contains("mermaid"));
        assert!(parse_args(&args("--issue x")).is_err());
        assert!(parse_args(&args("a b")).is_err());
        assert!(parse_args(&args("--nope")).is_err());
    }
}
