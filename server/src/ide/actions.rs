//! The actions a spec offers besides quick fixes (code actions of kind `source`): which
//! ones apply here, as plain data; running them is `lsp::commands`' job.

use crate::model::{Location, SpecKey, Workspace};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Archive,
    ArchiveAnyway,
    ArchiveInvestigation,
    DraftPr,
    SubmitPr,
    /// Creates the spec of a phase not yet started; the phase's name is the argument.
    StartPhase,
}

impl Command {
    pub const ALL: [Command; 6] = [
        Command::Archive,
        Command::ArchiveAnyway,
        Command::ArchiveInvestigation,
        Command::DraftPr,
        Command::SubmitPr,
        Command::StartPhase,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Command::Archive => "chant-lsp.archive",
            Command::ArchiveAnyway => "chant-lsp.archiveAnyway",
            Command::ArchiveInvestigation => "chant-lsp.archiveInvestigation",
            Command::DraftPr => "chant-lsp.draftPr",
            Command::SubmitPr => "chant-lsp.submitPr",
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
    if f.location == Location::Active {
        let status = f.facts.status();
        if matches!(status, "completed" | "cancelled") {
            out.push(Offer {
                title: format!("Archive spec {}", f.id),
                command: Command::Archive,
                arg: None,
            });
        } else {
            out.push(Offer {
                title: format!("Archive spec {} anyway (it is {status})", f.id),
                command: Command::ArchiveAnyway,
                arg: None,
            });
        }
    }
    if pr_phase(ws, key) {
        out.push(Offer {
            title: "Draft upstream PR body".into(),
            command: Command::DraftPr,
            arg: None,
        });
        out.push(Offer {
            title: "Submit upstream PR…".into(),
            command: Command::SubmitPr,
            arg: None,
        });
        if let Some(n) = f.issue {
            let count = crate::actions::archive::investigation(ws, n).len();
            if count > 0 {
                out.push(Offer {
                    title: format!("Archive investigation #{n} ({count} completed specs)…"),
                    command: Command::ArchiveInvestigation,
                    arg: None,
                });
            }
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
    out
}
