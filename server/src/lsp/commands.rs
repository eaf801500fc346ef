//! `workspace/executeCommand`: the actions that change files or reach GitHub, run only
//! when the person picked them, confirmed where anything leaves the machine. The flows
//! are here because they talk to the client (applyEdit, showMessageRequest); what they
//! decide is in `actions/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;

use crate::actions::archive::{self, Move};
use crate::actions::forge::{Forge, NewPr, OctocrabForge, PrSummary};
use crate::actions::token::{self, RealEnv};
use crate::actions::{git, pr_body, submit};
use crate::ide::actions::Command;
use crate::syntax::edit::{apply, Edit};

use super::convert;
use super::server::{lock, Backend};

/// How long a confirmation may wait for the person, and how long a Helix-style pending
/// confirmation stays valid.
const CONFIRM_WAIT: Duration = Duration::from_secs(600);

/// A confirmation the editor could not show as a dialog, offered as a code action instead.
#[derive(Debug, Clone)]
pub struct Pending {
    pub spec: PathBuf,
    pub created: Instant,
    pub what: PendingAction,
}

#[derive(Debug, Clone)]
pub enum PendingAction {
    Submit(NewPr),
    ArchiveInvestigation { issue: u64, specs: Vec<PathBuf> },
}

impl Pending {
    /// The code-action titles, stating exactly what will happen; the bool is "as draft".
    pub fn titles(&self) -> Vec<(String, Option<bool>)> {
        match &self.what {
            PendingAction::Submit(pr) => vec![
                (
                    format!(
                        "Confirm: create pull request on {} ({} -> {}): \"{}\"",
                        pr.base,
                        pr.head_label(),
                        pr.base_branch,
                        pr.title
                    ),
                    Some(false),
                ),
                (
                    format!(
                        "Confirm: create draft pull request on {} ({} -> {}): \"{}\"",
                        pr.base,
                        pr.head_label(),
                        pr.base_branch,
                        pr.title
                    ),
                    Some(true),
                ),
            ],
            PendingAction::ArchiveInvestigation { issue, specs } => {
                let ids: Vec<String> = specs
                    .iter()
                    .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                    .collect();
                vec![(
                    format!(
                        "Confirm: archive {} specs of issue #{issue}: {}",
                        ids.len(),
                        ids.join(", ")
                    ),
                    None,
                )]
            }
        }
    }
}

/// A command to run, as read from `workspace/executeCommand`.
pub(super) enum Call {
    Confirm {
        nonce: String,
        draft: Option<bool>,
    },
    Run {
        cmd: Command,
        path: PathBuf,
        /// A second argument some commands take (the phase to start).
        arg: Option<String>,
    },
    Nothing,
}

enum Answer {
    Chose(String),
    Declined,
    /// The client cannot show a dialog (Helix answers "method not found").
    Unsupported,
}

fn arg_str(args: &[Value], i: usize) -> Option<String> {
    args.get(i).and_then(Value::as_str).map(str::to_string)
}

fn http_timeout() -> Duration {
    let secs = std::env::var("CHANT_LSP_GITHUB_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    Duration::from_secs(secs)
}

impl Backend {
    /// Reads a command's name and arguments; an unknown one is refused at once.
    pub(super) fn call(name: &str, args: &[Value]) -> Result<Call> {
        if name == "chant-lsp.confirm" {
            return Ok(Call::Confirm {
                nonce: arg_str(args, 0).unwrap_or_default(),
                draft: args.get(1).and_then(Value::as_bool),
            });
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
        match call {
            Call::Confirm { nonce, draft } => self.confirm(&nonce, draft).await,
            Call::Run { cmd, path, arg } => match cmd {
                Command::Archive => self.archive(&path, false).await,
                Command::ArchiveAnyway => self.archive(&path, true).await,
                Command::ArchiveInvestigation => self.archive_investigation(&path).await,
                Command::DraftPr => self.draft_pr(&path).await,
                Command::SubmitPr => self.submit_pr(&path).await,
                Command::StartPhase => self.start_phase(&path, arg).await,
            },
            Call::Nothing => {}
        }
    }

    async fn say(&self, typ: lsp::MessageType, message: impl Into<String>) {
        self.client.show_message(typ, message.into()).await;
    }

    async fn ask(&self, message: String, actions: &[&str]) -> Answer {
        let items = actions
            .iter()
            .map(|a| lsp::MessageActionItem {
                title: a.to_string(),
                properties: HashMap::new(),
            })
            .collect();
        let asked =
            self.client
                .show_message_request(lsp::MessageType::WARNING, message, Some(items));
        match tokio::time::timeout(CONFIRM_WAIT, asked).await {
            Ok(Ok(Some(item))) => Answer::Chose(item.title),
            Ok(Ok(None)) | Err(_) => Answer::Declined,
            Ok(Err(e)) if e.code == tower_lsp_server::jsonrpc::ErrorCode::MethodNotFound => {
                Answer::Unsupported
            }
            Ok(Err(_)) => Answer::Declined,
        }
    }

    /// The text of a spec as the person sees it (the open buffer, else the disk).
    fn current_text(&self, path: &Path) -> Option<String> {
        let st = self.current();
        if let Some(d) = st.open.get(path) {
            return Some(d.text());
        }
        let i = st.root_index(path)?;
        let ws = &st.roots[i];
        ws.key_of(path)
            .and_then(|k| ws.get(k))
            .filter(|f| f.read_error.is_none())
            .map(|f| f.text.to_string())
    }

    /// Edits a spec: through the editor when the spec is open there (so its buffer and
    /// undo history stay right), else on disk, replacing the file atomically.
    async fn edit_spec(&self, path: &Path, edits: Vec<Edit>) -> std::result::Result<(), String> {
        let open_version = self.current().open.get(path).map(|d| d.version);
        match open_version {
            Some(version) => {
                if !lock(&self.init).apply_edit {
                    return Err("the spec is open and this editor does not accept edits from the server; close it and try again".into());
                }
                let (uri, lsp_edits) = {
                    let st = self.current();
                    let doc = st.open.get(path).ok_or("the spec was closed")?;
                    let text = doc.text();
                    let lines = crate::syntax::LineIndex::new(&text);
                    let edits: Vec<lsp::OneOf<lsp::TextEdit, lsp::AnnotatedTextEdit>> = edits
                        .iter()
                        .map(|e| {
                            lsp::OneOf::Left(lsp::TextEdit {
                                range: convert::range(&text, &lines, e.range, st.encoding),
                                new_text: e.new_text.clone(),
                            })
                        })
                        .collect();
                    (convert::uri(path).ok_or("bad path")?, edits)
                };
                let edit = lsp::WorkspaceEdit {
                    document_changes: Some(lsp::DocumentChanges::Edits(vec![
                        lsp::TextDocumentEdit {
                            text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                                uri,
                                version: Some(version),
                            },
                            edits: lsp_edits,
                        },
                    ])),
                    ..Default::default()
                };
                match self.client.apply_edit(edit).await {
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
            None => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let new = apply(&text, &edits);
                let tmp = path.with_extension("md.chant-lsp.tmp");
                std::fs::write(&tmp, new)
                    .and_then(|()| std::fs::rename(&tmp, path))
                    .map_err(|e| {
                        let _ = std::fs::remove_file(&tmp);
                        format!("cannot write {}: {e}", path.display())
                    })?;
                self.refresh(vec![path.to_path_buf()]).await;
                Ok(())
            }
        }
    }

    // ----- archive -----

    /// The moves that archive the spec at `path`, or why not; None when `path` is not a
    /// spec of a loaded workspace.
    fn plan_archive(
        &self,
        path: &Path,
        anyway: bool,
    ) -> Option<std::result::Result<(PathBuf, Vec<Move>), String>> {
        let st = self.current();
        let i = st.root_index(path)?;
        let ws = &st.roots[i];
        let key = ws.key_of(path)?;
        Some(archive::plan(ws, key, anyway, &|p| st.unsaved(p)).map(|m| (ws.root.clone(), m)))
    }

    async fn archive(&self, path: &Path, anyway: bool) {
        let planned = self
            .plan_archive(path, anyway)
            .unwrap_or_else(|| Err("this file is not a spec of a loaded workspace".to_string()));
        match planned {
            Err(why) => {
                self.say(lsp::MessageType::ERROR, format!("Not archived: {why}."))
                    .await
            }
            Ok((root, moves)) => self.carry_out(&root, &moves).await,
        }
    }

    /// Moves (through the editor when it can move files, so open buffers follow), stages,
    /// refreshes the model, and reports.
    async fn carry_out(&self, root: &Path, moves: &[Move]) {
        let via_editor = {
            let init = lock(&self.init);
            init.apply_edit && init.rename_files
        };
        let mut already_moved = false;
        if via_editor {
            for m in moves {
                if let Some(dir) = m.to.parent() {
                    if let Err(e) = std::fs::create_dir_all(dir) {
                        self.say(
                            lsp::MessageType::ERROR,
                            format!("Not archived: cannot create {}: {e}.", dir.display()),
                        )
                        .await;
                        return;
                    }
                }
            }
            let ops = moves
                .iter()
                .filter_map(|m| {
                    Some(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Rename(
                        lsp::RenameFile {
                            old_uri: convert::uri(&m.from)?,
                            new_uri: convert::uri(&m.to)?,
                            options: Some(lsp::RenameFileOptions {
                                overwrite: Some(false),
                                ignore_if_exists: Some(false),
                            }),
                            annotation_id: None,
                        },
                    )))
                })
                .collect();
            let edit = lsp::WorkspaceEdit {
                document_changes: Some(lsp::DocumentChanges::Operations(ops)),
                ..Default::default()
            };
            let applied = self.client.apply_edit(edit).await;
            let moved = moves.iter().all(|m| m.to.exists() && !m.from.exists());
            match applied {
                Ok(r) if r.applied && moved => already_moved = true,
                Ok(r) if !r.applied => {
                    self.say(
                        lsp::MessageType::ERROR,
                        format!(
                            "Not archived: the editor did not move the files{}.",
                            r.failure_reason
                                .map(|f| format!(" ({f})"))
                                .unwrap_or_default()
                        ),
                    )
                    .await;
                    self.refresh_moved(moves).await;
                    return;
                }
                _ if !moved => {
                    self.say(lsp::MessageType::ERROR, "Not archived: the editor reported the move but the files are not where they should be; nothing was staged.").await;
                    self.refresh_moved(moves).await;
                    return;
                }
                _ => already_moved = true,
            }
        }
        let root = root.to_path_buf();
        let moves_owned = moves.to_vec();
        let outcome = tokio::task::spawn_blocking(move || {
            archive::execute(&root, &moves_owned, already_moved)
        })
        .await;
        self.refresh_moved(moves).await;
        let Ok(outcome) = outcome else {
            self.say(
                lsp::MessageType::ERROR,
                "Archiving failed unexpectedly; check `git status`.",
            )
            .await;
            return;
        };
        if !outcome.archived.is_empty() {
            let ids: Vec<&str> = outcome
                .archived
                .iter()
                .map(|(id, _, _)| id.as_str())
                .collect();
            let staged = outcome
                .archived
                .iter()
                .all(|(_, _, s)| *s == git::Staged::Renamed);
            let dir = outcome
                .archived
                .last()
                .and_then(|(_, p, _)| p.parent())
                .map(|d| d.display().to_string())
                .unwrap_or_default();
            self.say(
                lsp::MessageType::INFO,
                format!(
                    "Archived {} to {dir}{}.",
                    ids.join(", "),
                    if staged {
                        " (move staged in git)"
                    } else {
                        " (not tracked by git: plain move)"
                    }
                ),
            )
            .await;
        }
        if let Some(f) = outcome.failure {
            self.say(lsp::MessageType::ERROR, f).await;
        }
    }

    async fn refresh_moved(&self, moves: &[Move]) {
        let paths: Vec<PathBuf> = moves
            .iter()
            .flat_map(|m| [m.from.clone(), m.to.clone()])
            .collect();
        self.refresh(paths).await;
    }

    async fn archive_investigation(&self, path: &Path) {
        let found = {
            let st = self.current();
            st.root_index(path).and_then(|i| {
                let ws = &st.roots[i];
                let key = ws.key_of(path)?;
                let n = ws.get(key)?.issue?;
                let specs: Vec<PathBuf> = archive::investigation(ws, n)
                    .into_iter()
                    .filter_map(|k| ws.get(k).map(|f| f.path.clone()))
                    .collect();
                let pr = ws
                    .issue_specs(n)
                    .find_map(|(_, f)| pr_body::find_section(&f.text).and_then(|s| s.pr));
                Some((n, specs, pr))
            })
        };
        let Some((n, specs, pr)) = found else {
            self.say(
                lsp::MessageType::ERROR,
                "This spec names no issue; nothing to archive as an investigation.",
            )
            .await;
            return;
        };
        if specs.is_empty() {
            self.say(
                lsp::MessageType::INFO,
                format!("Issue #{n} has no completed specs to archive."),
            )
            .await;
            return;
        }
        if let Some((number, url)) = pr {
            match self.pr_merged(&url).await {
                Ok(true) => {}
                Ok(false) => {
                    self.say(
                        lsp::MessageType::WARNING,
                        format!("Not archived: pull request #{number} ({url}) is not merged yet."),
                    )
                    .await;
                    return;
                }
                Err(e) => {
                    self.say(lsp::MessageType::ERROR, format!("Not archived: could not check whether pull request #{number} is merged: {e}.")).await;
                    return;
                }
            }
        }
        let pending = Pending {
            spec: path.to_path_buf(),
            created: Instant::now(),
            what: PendingAction::ArchiveInvestigation {
                issue: n,
                specs: specs.clone(),
            },
        };
        let list: Vec<String> = specs
            .iter()
            .filter_map(|p| p.file_stem().map(|s| format!("- {}", s.to_string_lossy())))
            .collect();
        let label = format!("Archive {} specs", specs.len());
        match self
            .ask(
                format!(
                    "Archive the {} completed specs of issue #{n}?\n{}",
                    specs.len(),
                    list.join("\n")
                ),
                &[&label, "Cancel"],
            )
            .await
        {
            Answer::Chose(t) if t == label => self.archive_many(&specs).await,
            Answer::Unsupported => self.defer(pending).await,
            _ => self.say(lsp::MessageType::INFO, "Nothing archived.").await,
        }
    }

    async fn archive_many(&self, specs: &[PathBuf]) {
        let mut skipped = Vec::new();
        for p in specs {
            match self.plan_archive(p, false) {
                Some(Ok((root, moves))) => self.carry_out(&root, &moves).await,
                Some(Err(why)) => skipped.push(why),
                None => {}
            }
        }
        if !skipped.is_empty() {
            self.say(
                lsp::MessageType::WARNING,
                format!("Skipped: {}.", skipped.join("; ")),
            )
            .await;
        }
    }

    async fn pr_merged(&self, url: &str) -> std::result::Result<bool, String> {
        let (repo, number) = crate::actions::forge::parse_pr_url(url)
            .ok_or_else(|| format!("`{url}` is not a pull request URL"))?;
        let host = url
            .split_once("://")
            .and_then(|(_, r)| r.split('/').next())
            .unwrap_or("github.com")
            .to_string();
        let forge = self.forge(&host)?;
        forge
            .get_pr(&repo, number)
            .await
            .map(|p| p.merged)
            .map_err(|e| e.explain())
    }

    fn forge(&self, host: &str) -> std::result::Result<OctocrabForge, String> {
        let env = RealEnv;
        let token = token::resolve(host, &env)?;
        OctocrabForge::new(&token::api_base(host, &env), &token.secret, http_timeout())
            .map_err(|e| e.explain())
    }

    // ----- upstream PR -----

    async fn draft_pr(&self, path: &Path) {
        let drafted = {
            let st = self.current();
            (|| -> std::result::Result<(Edit, String), String> {
                let i = st
                    .root_index(path)
                    .ok_or("this file is not a spec of a loaded workspace")?;
                let ws = &st.roots[i];
                let key = ws.key_of(path).ok_or("this file is not a spec")?;
                let inv = pr_body::investigation(ws, key)?;
                let read = |p: &str| {
                    ws.fs
                        .read(&ws.root.join(p.trim_start_matches("./")))
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok())
                };
                let branch = git::open(&ws.root).and_then(|repo| {
                    let base = submit::diff_base(&repo, &ws.config.main_branch)?;
                    let branch = git::current_branch(&repo)?;
                    Some(pr_body::Branch {
                        files: git::changed_files(&repo, &base, &branch)?,
                        subjects: git::commit_subjects(&repo, &base, &branch)?,
                    })
                });
                let draft = pr_body::draft(&inv, &read, branch.as_ref());
                let text =
                    st.open.get(path).map(|d| d.text()).unwrap_or_else(|| {
                        ws.get(key).map(|f| f.text.to_string()).unwrap_or_default()
                    });
                Ok((pr_body::upsert(&text, &draft), draft.title))
            })()
        };
        match drafted {
            Err(why) => self.say(lsp::MessageType::ERROR, format!("No draft: {why}.")).await,
            Ok((edit, title)) => match self.edit_spec(path, vec![edit]).await {
                Ok(()) => self.say(lsp::MessageType::INFO, format!("Drafted the upstream PR \"{title}\" in the spec's \"Upstream PR\" section; edit it, then run \"Submit upstream PR\".")).await,
                Err(why) => self.say(lsp::MessageType::ERROR, format!("No draft: {why}.")).await,
            },
        }
    }

    /// Creates the phase's spec (never over an existing file) and opens it.
    async fn start_phase(&self, path: &Path, phase: Option<String>) {
        let planned = {
            let st = self.current();
            (|| -> std::result::Result<crate::actions::start_phase::NewSpec, String> {
                let phase = phase.ok_or("no phase given")?;
                let i = st
                    .root_index(path)
                    .ok_or("this file is not a spec of a loaded workspace")?;
                let ws = &st.roots[i];
                let f = ws
                    .key_of(path)
                    .and_then(|k| ws.get(k))
                    .ok_or("this file is not a spec")?;
                let n = f.issue.ok_or("this spec belongs to no issue")?;
                let today = chrono::Local::now().date_naive();
                crate::actions::start_phase::plan(ws, n, &phase, today, &mut || fastrand::u32(..))
            })()
        };
        let written = planned.and_then(|new| {
            use std::io::Write;
            if let Some(dir) = new.path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&new.path)
                .and_then(|mut file| file.write_all(new.text.as_bytes()))
                .map_err(|e| format!("cannot create {}: {e}", new.rel))?;
            Ok(new)
        });
        let new = match written {
            Ok(new) => new,
            Err(why) => {
                self.say(lsp::MessageType::ERROR, format!("No new spec: {why}."))
                    .await;
                return;
            }
        };
        self.refresh(vec![new.path.clone()]).await;
        let shown = match convert::uri(&new.path) {
            Some(uri) => self
                .client
                .show_document(lsp::ShowDocumentParams {
                    uri,
                    external: None,
                    take_focus: Some(true),
                    selection: None,
                })
                .await
                .unwrap_or(false),
            None => false,
        };
        // An editor that cannot open it still says where it is.
        if !shown {
            self.say(lsp::MessageType::INFO, format!("Created {}.", new.rel))
                .await;
        }
    }

    async fn submit_pr(&self, path: &Path) {
        if let Err(why) = self.try_submit(path).await {
            self.say(
                lsp::MessageType::ERROR,
                format!("Pull request not created: {why}."),
            )
            .await;
        }
    }

    async fn try_submit(&self, path: &Path) -> std::result::Result<(), String> {
        let text = self
            .current_text(path)
            .ok_or("this file is not a spec of a loaded workspace")?;
        let section = pr_body::find_section(&text)
            .ok_or("the spec has no PR draft yet: run \"Draft upstream PR body\" first")?;
        let (title, body) = match (&section.title, &section.body) {
            (Some(t), Some(b)) if !b.trim().is_empty() => (t.clone(), b.clone()),
            _ => {
                return Err(
                    "the PR draft has no title or no body: fill in the \"Upstream PR\" section"
                        .into(),
                )
            }
        };
        let target = {
            let st = self.current();
            let i = st
                .root_index(path)
                .ok_or("this file is not a spec of a loaded workspace")?;
            let ws = &st.roots[i];
            let key = ws.key_of(path).ok_or("this file is not a spec")?;
            submit::resolve(ws, key, &section, &RealEnv)?
        };
        let forge = self.forge(&target.host)?;
        let base_branch = match &target.base_branch {
            Some(b) => b.clone(),
            None => forge
                .default_branch(&target.base)
                .await
                .map_err(|e| e.explain())?,
        };
        let pr = NewPr {
            base: target.base.clone(),
            head_owner: target.head_owner.clone(),
            branch: target.branch.clone(),
            base_branch,
            title,
            body,
            draft: false,
        };
        if let Some(existing) = forge.find_open_pr(&pr).await.map_err(|e| e.explain())? {
            self.record(path, &existing).await;
            self.say(
                lsp::MessageType::INFO,
                format!(
                    "A pull request for {} into {} is already open: {} (nothing created).",
                    pr.head_label(),
                    pr.base_branch,
                    existing.url
                ),
            )
            .await;
            return Ok(());
        }
        let question = format!(
            "Open a pull request on {}?\n{} -> {}\nTitle: {}\nThe body is the \"Upstream PR\" section of the spec.",
            pr.base,
            pr.head_label(),
            pr.base_branch,
            pr.title
        );
        const CREATE: &str = "Create pull request";
        const DRAFT: &str = "Create draft pull request";
        match self.ask(question, &[CREATE, DRAFT, "Cancel"]).await {
            Answer::Chose(t) if t == CREATE || t == DRAFT => {
                self.create(
                    path,
                    &forge,
                    NewPr {
                        draft: t == DRAFT,
                        ..pr
                    },
                )
                .await
            }
            Answer::Unsupported => {
                self.defer(Pending {
                    spec: path.to_path_buf(),
                    created: Instant::now(),
                    what: PendingAction::Submit(pr),
                })
                .await;
                Ok(())
            }
            _ => {
                self.say(
                    lsp::MessageType::INFO,
                    "Cancelled: no pull request was created.",
                )
                .await;
                Ok(())
            }
        }
    }

    async fn create(
        &self,
        path: &Path,
        forge: &dyn Forge,
        pr: NewPr,
    ) -> std::result::Result<(), String> {
        let (created, fresh) = match forge.create_pr(&pr).await {
            Ok(p) => (p, true),
            // Created by a concurrent attempt, or an answer that got lost: find it, never create twice.
            Err(e) if e.already_exists() => (
                forge
                    .find_open_pr(&pr)
                    .await
                    .map_err(|e| e.explain())?
                    .ok_or_else(|| e.explain())?,
                false,
            ),
            Err(e) => return Err(e.explain()),
        };
        self.record(path, &created).await;
        if !fresh {
            self.say(
                lsp::MessageType::INFO,
                format!(
                    "A pull request for {} already exists: {} (nothing created).",
                    pr.head_label(),
                    created.url
                ),
            )
            .await;
            return Ok(());
        }
        self.say(
            lsp::MessageType::INFO,
            format!("Opened pull request #{}: {}", created.number, created.url),
        )
        .await;
        if let Ok(uri) = created.url.parse::<lsp::Uri>() {
            let _ = self
                .client
                .show_document(lsp::ShowDocumentParams {
                    uri,
                    external: Some(true),
                    take_focus: None,
                    selection: None,
                })
                .await;
        }
        Ok(())
    }

    /// Writes the PR's number and URL into the spec's draft section.
    async fn record(&self, path: &Path, pr: &PrSummary) {
        let Some(text) = self.current_text(path) else {
            return;
        };
        let Some(edit) = pr_body::record_pr(&text, pr.number, &pr.url) else {
            return;
        };
        if let Err(why) = self.edit_spec(path, vec![edit]).await {
            self.say(
                lsp::MessageType::WARNING,
                format!(
                    "Pull request {} exists, but recording it in the spec failed: {why}.",
                    pr.url
                ),
            )
            .await;
        }
    }

    // ----- confirmations editors cannot show as dialogs -----

    async fn defer(&self, pending: Pending) {
        let titles = pending.titles();
        let nonce = format!(
            "{:x}{:x}",
            std::process::id(),
            Instant::now().elapsed().as_nanos()
                ^ (std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()))
        );
        lock(&self.pending).insert(nonce, pending);
        let first = titles.first().map(|t| t.0.clone()).unwrap_or_default();
        self.say(lsp::MessageType::WARNING, format!("This editor cannot show a confirmation dialog. To go ahead, run the code action \"{first}\" (or its draft variant) on the spec; nothing happens otherwise.")).await;
    }

    async fn confirm(&self, nonce: &str, draft: Option<bool>) {
        let pending = lock(&self.pending).remove(nonce);
        let Some(p) = pending.filter(|p| p.created.elapsed() < CONFIRM_WAIT) else {
            self.say(
                lsp::MessageType::ERROR,
                "That confirmation has expired; run the action again.",
            )
            .await;
            return;
        };
        match p.what {
            PendingAction::Submit(pr) => {
                let host = {
                    let st = self.current();
                    st.root_index(&p.spec)
                        .and_then(|i| git::open(&st.roots[i].root))
                        .and_then(|r| {
                            git::remotes(&r)
                                .into_iter()
                                .find(|x| x.owner == pr.base.owner && x.repo == pr.base.name)
                        })
                        .map_or_else(|| "github.com".to_string(), |r| r.host)
                };
                let result = match self.forge(&host) {
                    Ok(forge) => match forge.find_open_pr(&pr).await {
                        Ok(Some(existing)) => {
                            self.record(&p.spec, &existing).await;
                            self.say(
                                lsp::MessageType::INFO,
                                format!(
                                    "A pull request is already open: {} (nothing created).",
                                    existing.url
                                ),
                            )
                            .await;
                            Ok(())
                        }
                        Ok(None) => {
                            self.create(
                                &p.spec,
                                &forge,
                                NewPr {
                                    draft: draft.unwrap_or(false),
                                    ..pr
                                },
                            )
                            .await
                        }
                        Err(e) => Err(e.explain()),
                    },
                    Err(e) => Err(e),
                };
                if let Err(why) = result {
                    self.say(
                        lsp::MessageType::ERROR,
                        format!("Pull request not created: {why}."),
                    )
                    .await;
                }
            }
            PendingAction::ArchiveInvestigation { specs, .. } => self.archive_many(&specs).await,
        }
    }
}
