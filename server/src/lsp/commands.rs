//! `workspace/executeCommand`: reads the command, builds the flow's context over the
//! protocol (the person and the editor are the client) and runs the flow from `flows/`.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;

use crate::actions::forge::BoxFuture;
use crate::actions::real::{RealDisk, RealForges, RealGit};
use crate::flows::{self, Answer, Buffer, Ctx, Level, Question};
use crate::ide::actions::Command;
use crate::syntax::edit::Edit;

use super::convert;
use super::server::{lock, Backend};

/// A command to run, as read from `workspace/executeCommand`.
pub(super) enum Call {
    /// A "Confirm: …" code action: question id and choice.
    Confirm {
        id: u64,
        choice: usize,
    },
    Run {
        cmd: Command,
        path: PathBuf,
        /// A second argument some commands take (the phase to start).
        arg: Option<String>,
    },
    Nothing,
}

fn arg_str(args: &[Value], i: usize) -> Option<String> {
    args.get(i).and_then(Value::as_str).map(str::to_string)
}

impl Backend {
    /// Reads a command's name and arguments; an unknown one is refused at once.
    pub(super) fn call(name: &str, args: &[Value]) -> Result<Call> {
        if name == "chant-lsp.confirm" {
            let id = arg_str(args, 0).and_then(|s| s.parse().ok());
            let choice = args.get(1).and_then(Value::as_u64);
            return match (id, choice) {
                (Some(id), Some(choice)) => Ok(Call::Confirm {
                    id,
                    choice: usize::try_from(choice).unwrap_or(usize::MAX),
                }),
                _ => Err(super::server::request_failed(
                    "chant-lsp.confirm takes a confirmation id and a choice",
                )),
            };
        }
        let uri = arg_str(args, 0).and_then(|u| u.parse::<lsp::Uri>().ok());
        let (Some(cmd), Some(uri)) = (Command::from_name(name), uri) else {
            return Err(super::server::request_failed(&format!(
                "unknown command or arguments: {name}"
            )));
        };
        Ok(match convert::path(&uri) {
            Some(path) => Call::Run {
                cmd,
                path,
                arg: arg_str(args, 1),
            },
            None => Call::Nothing,
        })
    }

    /// Runs a flow to its end. It runs as a task of its own, so a dialog waiting for the
    /// person holds none of the server's request slots.
    pub(super) async fn run_call(&self, call: Call) {
        // Everything the client sent before the command is in the model.
        self.settled().await;
        let (cmd, path, arg) = match call {
            Call::Nothing => return,
            Call::Confirm { id, choice } => {
                if !self.asks.answer(id, choice) {
                    self.client
                        .show_message(lsp::MessageType::WARNING, super::confirm::LATE)
                        .await;
                }
                return;
            }
            Call::Run { cmd, path, arg } => (cmd, path, arg),
        };
        let st = self.current();
        let found = st.root_index(&path).and_then(|i| {
            let ws = st.roots.get(i)?.clone();
            let key = ws.key_of(&path)?;
            Some((ws, key))
        });
        let Some((ws, key)) = found else {
            self.client
                .show_message(
                    lsp::MessageType::ERROR,
                    "This file is not a spec of a loaded chant workspace; nothing was done.",
                )
                .await;
            return;
        };
        let session = Session(self.clone());
        let ctx = Ctx {
            person: &session,
            editor: &session,
            disk: &RealDisk,
            git: &RealGit,
            forges: &RealForges,
            gh_host: std::env::var("GH_HOST").ok().filter(|h| !h.is_empty()),
            now: chrono::Utc::now(),
        };
        match cmd {
            Command::Archive => flows::archive::one(&ctx, &ws, key, false).await,
            Command::ArchiveAnyway => flows::archive::one(&ctx, &ws, key, true).await,
            Command::ArchiveInvestigation => flows::archive::investigation(&ctx, &ws, key).await,
            Command::DraftPr => flows::pr::draft(&ctx, &ws, key).await,
            Command::SubmitPr => flows::pr::submit(&ctx, &ws, key).await,
            Command::UpdatePr => flows::pr::update(&ctx, &ws, key).await,
            Command::RefreshPr => flows::pr::refresh(&ctx, &ws, key).await,
            Command::OpenPr => flows::pr::open(&ctx, &ws, key).await,
            Command::StartPhase => flows::start_phase::run(&ctx, &ws, key, arg.as_deref()).await,
        }
    }
}

/// The person and the editor, as the client shows them.
struct Session(Backend);

fn message_type(level: Level) -> lsp::MessageType {
    match level {
        Level::Info => lsp::MessageType::INFO,
        Level::Warning => lsp::MessageType::WARNING,
        Level::Error => lsp::MessageType::ERROR,
    }
}

impl flows::Person for Session {
    fn ask(&self, question: Question) -> BoxFuture<'_, Answer> {
        Box::pin(super::confirm::ask(&self.0.asks, &self.0.client, question))
    }

    fn tell(&self, level: Level, text: String) -> BoxFuture<'_, ()> {
        Box::pin(self.0.client.show_message(message_type(level), text))
    }

    fn open_url(&self, url: String) -> BoxFuture<'_, bool> {
        Box::pin(async move {
            let Ok(uri) = url.parse::<lsp::Uri>() else {
                return false;
            };
            self.0
                .client
                .show_document(lsp::ShowDocumentParams {
                    uri,
                    external: Some(true),
                    take_focus: None,
                    selection: None,
                })
                .await
                .unwrap_or(false)
        })
    }

    fn open_file(&self, path: PathBuf) -> BoxFuture<'_, bool> {
        Box::pin(async move {
            let Some(uri) = convert::uri(&path) else {
                return false;
            };
            self.0
                .client
                .show_document(lsp::ShowDocumentParams {
                    uri,
                    external: None,
                    take_focus: Some(true),
                    selection: None,
                })
                .await
                .unwrap_or(false)
        })
    }
}

fn applied(r: Result<lsp::ApplyWorkspaceEditResponse>) -> std::result::Result<(), String> {
    match r {
        Ok(r) if r.applied => Ok(()),
        Ok(r) => Err(format!(
            "the editor did not apply the edit{}",
            r.failure_reason
                .map(|f| format!(": {f}"))
                .unwrap_or_default()
        )),
        Err(e) => Err(format!("the editor did not apply the edit: {}", e.message)),
    }
}

impl flows::Editor for Session {
    fn buffer(&self, path: &Path) -> Option<Buffer> {
        let st = self.0.current();
        let d = st.open.get(path)?;
        Some(Buffer {
            text: d.text(),
            version: d.version,
            dirty: st.unsaved(path),
        })
    }

    fn can_edit(&self) -> bool {
        lock(&self.0.init).apply_edit
    }

    fn can_move(&self) -> bool {
        let init = lock(&self.0.init);
        init.apply_edit && init.rename_files
    }

    fn edit<'a>(
        &'a self,
        path: &'a Path,
        version: i32,
        text: &'a str,
        edits: Vec<Edit>,
    ) -> BoxFuture<'a, std::result::Result<(), String>> {
        Box::pin(async move {
            let uri = convert::uri(path).ok_or("the spec's path cannot be named as a URI")?;
            let enc = self.0.current().encoding;
            let lines = crate::syntax::LineIndex::new(text);
            let edits = edits
                .iter()
                .map(|e| {
                    lsp::OneOf::Left(lsp::TextEdit {
                        range: convert::range(text, &lines, e.range, enc),
                        new_text: e.new_text.clone(),
                    })
                })
                .collect();
            let edit = lsp::WorkspaceEdit {
                document_changes: Some(lsp::DocumentChanges::Edits(vec![lsp::TextDocumentEdit {
                    text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                        uri,
                        version: Some(version),
                    },
                    edits,
                }])),
                ..Default::default()
            };
            applied(self.0.client.apply_edit(edit).await)
        })
    }

    fn move_files<'a>(
        &'a self,
        moves: &'a [(PathBuf, PathBuf)],
    ) -> BoxFuture<'a, std::result::Result<(), String>> {
        Box::pin(async move {
            // Not every editor creates the destination's folders.
            for (_, to) in moves {
                if let Some(dir) = to.parent() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
            }
            let ops = moves
                .iter()
                .map(|(from, to)| {
                    Some(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Rename(
                        lsp::RenameFile {
                            old_uri: convert::uri(from)?,
                            new_uri: convert::uri(to)?,
                            options: Some(lsp::RenameFileOptions {
                                overwrite: Some(false),
                                ignore_if_exists: Some(false),
                            }),
                            annotation_id: None,
                        },
                    )))
                })
                .collect::<Option<Vec<_>>>()
                .ok_or("a path cannot be named as a URI")?;
            let edit = lsp::WorkspaceEdit {
                document_changes: Some(lsp::DocumentChanges::Operations(ops)),
                ..Default::default()
            };
            applied(self.0.client.apply_edit(edit).await)
        })
    }

    fn reload(&self, paths: Vec<PathBuf>) -> BoxFuture<'_, ()> {
        Box::pin(self.0.refresh(paths))
    }
}
