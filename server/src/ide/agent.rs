//! An agent at work on a spec, as the editor shows it: a code lens, a paragraph of the
//! hover, and the warning when a person starts editing a spec an agent holds.

use crate::model::agents::{self, State};
use crate::model::{SpecFile, SpecKey, Workspace};

/// The agent's state in the two forms the editor shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// One short line (a code lens).
    pub lens: String,
    /// A paragraph of markdown (the hover).
    pub hover: String,
}

/// At most this much of a failed run's error goes into a lens...
const LENS_ERROR_CHARS: usize = 60;
/// ...and into a hover.
const HOVER_ERROR_CHARS: usize = 2000;

/// What the spec's agent files say now, if anything.
pub fn shown(ws: &Workspace, f: &SpecFile) -> Option<Shown> {
    let agent = ws.agent(&f.id)?;
    let processes = &*ws.processes;
    let hhmm =
        |t: chrono::DateTime<chrono::Utc>| agents::local(processes, t).format("%H:%M").to_string();
    let day_time = |t: chrono::DateTime<chrono::Utc>| {
        agents::local(processes, t)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    Some(match agents::state(agent, processes)? {
        State::Working { pid, since } => {
            let since = since
                .map(|t| format!(" since {}", hhmm(t)))
                .unwrap_or_default();
            let holder = match pid {
                Some(pid) => format!("PID {pid} holds its lock"),
                None => "its run report says so; no lock is held".into(),
            };
            Shown {
                lens: format!("agent working{since}"),
                hover: format!(
                    "**Agent working**{since} ({holder}): edits here may be overwritten."
                ),
            }
        }
        State::Stale { pid } => {
            let lock = ws.rel(&agents::lock_path(&ws.chant_dir(), &f.id));
            Shown {
                lens: format!("stale agent lock (PID {pid} not running)"),
                hover: format!(
                    "**Stale agent lock**: `{lock}` names PID {pid}, which is not running (the agent ended without removing it)."
                ),
            }
        }
        State::Failed { error, at } => {
            let at = at
                .map(|t| format!(" at {}", day_time(t)))
                .unwrap_or_default();
            let lens = match &error {
                Some(e) => format!("agent failed: {}", first_line(e, LENS_ERROR_CHARS)),
                None => "agent failed".into(),
            };
            let hover = match &error {
                Some(e) => format!(
                    "**Agent failed**{at}:\n\n{}",
                    fenced(&clip(e, HOVER_ERROR_CHARS))
                ),
                None => format!("**Agent failed**{at}."),
            };
            Shown { lens, hover }
        }
        State::Done { at, commits } => {
            let at = at
                .map(|t| format!(" at {}", day_time(t)))
                .unwrap_or_default();
            let commits = match commits.len() {
                0 => String::new(),
                n => format!(
                    " ({} {})",
                    if n == 1 { "commit" } else { "commits" },
                    commits
                        .iter()
                        .take(10)
                        .map(|c| format!("`{}`", clip(c, 40).replace('`', "")))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            Shown {
                lens: "agent done".into(),
                hover: format!("**Agent done**{at}{commits}."),
            }
        }
    })
}

/// The warning for a person who starts editing a spec a live agent holds.
pub fn editing_warning(ws: &Workspace, key: SpecKey) -> Option<String> {
    let f = ws.get(key)?;
    let pid = agents::live_pid(ws.agent(&f.id)?, &*ws.processes)?;
    Some(format!(
        "An agent (PID {pid}) is working on {} and may overwrite your edits.",
        f.id
    ))
}

/// The first line of `text`, control characters escaped, at most `max` characters.
fn first_line(text: &str, max: usize) -> String {
    let line = text.trim().lines().next().unwrap_or("");
    clip(line, max)
}

/// `text` with control characters escaped, cut to `max` characters (marked `…`).
fn clip(text: &str, max: usize) -> String {
    let text = crate::diagnostics::escape_controls(text.trim());
    if text.chars().count() <= max {
        return text.into_owned();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}

/// A fenced block that `text` cannot close: the fence is longer than any backtick run in it.
fn fenced(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{text}\n{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_clipped_and_fenced_safely() {
        assert_eq!(first_line("  boom\nstack\n", 60), "boom");
        assert_eq!(first_line("abcdef", 3), "abc…");
        assert_eq!(first_line("a\u{1b}[31mred", 60), "a\\u{1b}[31mred");
        assert_eq!(fenced("x"), "```text\nx\n```");
        assert_eq!(fenced("a ```` b"), "`````text\na ```` b\n`````");
    }
}
