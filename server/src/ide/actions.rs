//! The actions a spec offers besides quick fixes: which ones apply here, as plain data, in
//! menu order (an action that skips a check, "… anyway", always last); running them is
//! `flows/`' job.

use crate::model::{Location, SpecKey, Workspace};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Archive,
    ArchiveAnyway,
    ArchiveInvestigation,
    DraftPr,
    SubmitPr,
    /// Sends the section's edited title and body to the open PR.
    UpdatePr,
    /// Fetches the PR's state, review and checks into the section.
    RefreshPr,
    /// Opens the recorded PR in the browser.
    OpenPr,
    /// Creates the spec of a phase not yet started; the phase's name is the argument.
    StartPhase,
}

impl Command {
    pub const ALL: [Command; 9] = [
        Command::Archive,
        Command::ArchiveAnyway,
        Command::ArchiveInvestigation,
        Command::DraftPr,
        Command::SubmitPr,
        Command::UpdatePr,
        Command::RefreshPr,
        Command::OpenPr,
        Command::StartPhase,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Command::Archive => "chant-lsp.archive",
            Command::ArchiveAnyway => "chant-lsp.archiveAnyway",
            Command::ArchiveInvestigation => "chant-lsp.archiveInvestigation",
            Command::DraftPr => "chant-lsp.draftPr",
            Command::SubmitPr => "chant-lsp.submitPr",
            Command::UpdatePr => "chant-lsp.updatePr",
            Command::RefreshPr => "chant-lsp.refreshPr",
            Command::OpenPr => "chant-lsp.openPr",
            Command::StartPhase => "chant-lsp.startPhase",
        }
    }

    pub fn from_name(name: &str) -> Option<Command> {
        Command::ALL.into_iter().find(|c| c.name() == name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub title: String,
    pub command: Command,
    /// Passed after the spec's URI (the phase to start).
    pub arg: Option<String>,
}

/// The phases whose specs carry the upstream-PR actions.
fn pr_phase(ws: &Workspace, key: SpecKey) -> bool {
    let Some(f) = ws.get(key) else { return false };
    ws.phase(f)
        .is_some_and(|p| p.name == "fix" || p.name == "upstream-pr")
}

pub fn offers(ws: &Workspace, key: SpecKey) -> Vec<Offer> {
    let Some(f) = ws.get(key) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let offer = |title: String, command: Command| Offer {
        title,
        command,
        arg: None,
    };
    if pr_phase(ws, key) {
        out.push(offer("Draft upstream PR body".into(), Command::DraftPr));
        // Once a PR is recorded it is worked on, never submitted a second time.
        match super::submitted_pr(f) {
            Some((n, _)) => {
                out.push(offer(format!("Open pull request #{n}"), Command::OpenPr));
                out.push(offer(
                    format!("Update upstream PR #{n}…"),
                    Command::UpdatePr,
                ));
                out.push(offer(
                    format!("Refresh pull request #{n} status"),
                    Command::RefreshPr,
                ));
            }
            None => out.push(offer("Submit upstream PR…".into(), Command::SubmitPr)),
        }
    }
    // Any spec of an investigation starts the phases it has not reached yet.
    if let (Some(n), Some(_)) = (f.issue, ws.phase(f)) {
        for p in crate::actions::start_phase::startable(ws, n) {
            out.push(Offer {
                title: format!("Start the {} spec for issue #{n}", p.title),
                command: Command::StartPhase,
                arg: Some(p.name.clone()),
            });
        }
    }
    if pr_phase(ws, key) {
        if let Some(n) = f.issue {
            let count = crate::actions::archive::investigation(ws, n).len();
            if count > 0 {
                out.push(offer(
                    format!(
                        "Archive investigation #{n} ({})…",
                        crate::check::count(count, "spec", "specs")
                    ),
                    Command::ArchiveInvestigation,
                ));
            }
        }
    }
    if f.location == Location::Active {
        let status = f.facts.status();
        if matches!(status, "completed" | "cancelled") {
            out.push(offer(format!("Archive spec {}…", f.id), Command::Archive));
        } else {
            out.push(offer(
                format!("Archive spec {} anyway (it is {status})…", f.id),
                Command::ArchiveAnyway,
            ));
        }
    }
    out
}
