//! An agent's lock left behind: the lock names a process that is not running.

use crate::model::agents::{self, State};

use super::{Fix, Sink};

pub(super) fn check(s: &mut Sink) {
    let ws = s.ws;
    let Some(agent) = ws.agent(&s.file.id) else {
        return;
    };
    let Some(State::Stale { pid }) = agents::state(agent, &*ws.processes) else {
        return;
    };
    let lock = agents::lock_path(&ws.chant_dir(), &s.file.id);
    let rel = ws.rel(&lock);
    let range = match &s.file.syntax.body.title {
        Some(t) => t.range,
        None => {
            let first_line = s.text().find('\n').unwrap_or(s.text().len());
            crate::syntax::TextRange::new(0, first_line)
        }
    };
    s.push(
        "stale-agent-lock",
        range,
        format!("stale agent lock: `{rel}` names PID {pid}, which is not running (the agent ended without removing it); delete `{rel}`"),
    )
    .fixes
    .push(Fix {
        title: format!("Delete the stale lock `{rel}`"),
        edits: Vec::new(),
        safe: false,
        delete: Some(lock),
    });
}
