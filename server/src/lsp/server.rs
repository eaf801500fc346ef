//! The protocol layer: translates LSP messages into model updates and feature calls,
//! and their results back. Holds no logic of its own.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{self as lsp, notification, request};
use tower_lsp_server::{Client, LanguageServer};

use crate::syntax::Encoding;

use super::convert;
use super::features;
use super::state::{Event, Poster, State};
use super::watch::OwnWatcher;

/// The protocol side: every handler either posts an event to the model's writer
/// (notifications, in the client's order) or answers from a snapshot (requests). Cheap
/// to clone, so flows can run as tasks of their own.
#[derive(Clone)]
pub struct Backend {
    pub(super) client: Client,
    poster: Poster,
    snapshots: watch::Receiver<Arc<State>>,
    pub(super) init: Arc<Mutex<InitInfo>>,
    /// The flows' questions waiting for the person.
    pub(super) asks: Arc<super::confirm::Asks>,
    watcher: Arc<OwnWatcher>,
    /// Push (publishDiagnostics) or pull (the client asks), never both.
    delivery: Arc<Mutex<Delivery>>,
    /// Specs being edited since their last open or save: the agent warning is given at
    /// the first change of such an edit session only.
    editing: Arc<Mutex<HashSet<PathBuf>>>,
}

#[derive(Debug, Clone, Copy)]
enum Delivery {
    Push,
    /// The client pulls, and accepts `workspace/diagnostic/refresh`.
    Pull,
}

#[derive(Default, Clone)]
pub(super) struct InitInfo {
    folders: Vec<PathBuf>,
    dynamic_watch: bool,
    progress: bool,
    /// The client applies workspace edits that rename files.
    pub(super) rename_files: bool,
    /// The client accepts `workspace/applyEdit`.
    pub(super) apply_edit: bool,
    client_name: String,
    /// The client's command that opens a references view, for clickable code lenses.
    show_references: Option<String>,
    /// The client accepts `workspace/codeLens/refresh`.
    lens_refresh: bool,
    /// The client accepts `workspace/semanticTokens/refresh`.
    tokens_refresh: bool,
}

/// How long a request waits for the events sent before it, and for its workspace's
/// first index; past that it is answered from what there is.
const WAIT: Duration = Duration::from_secs(30);

impl Backend {
    pub fn new(client: Client) -> Backend {
        let (tx, mut rx) = super::state::Outbox::new();
        let c = client.clone();
        let delivery = Arc::new(Mutex::new(Delivery::Push));
        let mode = delivery.clone();
        let outbox = tx.clone();
        tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                let now = *lock(&mode);
                match now {
                    Delivery::Push => {
                        c.publish_diagnostics(p.uri, p.diagnostics, p.version).await;
                        outbox.taken(1);
                    }
                    // A pull client is asked to pull again, once per burst of changes.
                    Delivery::Pull => {
                        let mut n = 1;
                        while rx.try_recv().is_ok() {
                            n += 1;
                        }
                        outbox.taken(n);
                        // A client that does not answer must not stop later refreshes.
                        let asked = c.workspace_diagnostic_refresh();
                        let _ = tokio::time::timeout(Duration::from_secs(5), asked).await;
                    }
                }
            }
        });
        let watcher = Arc::new(OwnWatcher::default());
        let w = watcher.clone();
        let (poster, snapshots) =
            super::state::start(tx, Box::new(move |ws, poster| w.watch(ws, poster)));
        let init = Arc::new(Mutex::new(InitInfo::default()));
        tokio::spawn(refresh_views(
            client.clone(),
            snapshots.clone(),
            init.clone(),
        ));
        Backend {
            client,
            poster,
            snapshots,
            init,
            asks: Arc::default(),
            watcher,
            delivery,
            editing: Arc::default(),
        }
    }

    pub(super) fn post(&self, event: Event) {
        self.poster.post(event);
    }

    /// The newest snapshot, whatever is still on its way to the writer.
    pub(super) fn current(&self) -> Arc<State> {
        self.snapshots.borrow().clone()
    }

    /// A snapshot that includes every event sent so far (a request must see the edits
    /// the client sent before it); never waits for diagnostics or whole-workspace work.
    pub(super) async fn snapshot(&self) -> Arc<State> {
        let target = self.poster.sent();
        let mut rx = self.snapshots.clone();
        let got = match tokio::time::timeout(WAIT, rx.wait_for(|s| s.seq >= target)).await {
            Ok(Ok(s)) => Some(s.clone()),
            _ => None,
        };
        got.unwrap_or_else(|| self.current())
    }

    /// Waits until the writer has applied and published everything sent so far.
    pub(super) async fn settled(&self) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.post(Event::Barrier(tx));
        let _ = tokio::time::timeout(WAIT, rx).await;
    }

    /// Re-reads files a flow changed on disk, and waits until the model has them.
    pub(super) async fn refresh(&self, paths: Vec<PathBuf>) {
        self.post(Event::Disk(paths));
        self.settled().await;
    }

    /// Answers a request about a position in a spec; `None` when the file is not one.
    /// A request that arrives while the spec's workspace is still being indexed waits for
    /// the index (an answer from half a workspace would be wrong, not just late).
    async fn at<T>(
        &self,
        what: &str,
        uri: &lsp::Uri,
        pos: lsp::Position,
        f: impl FnOnce(features::At) -> Option<T>,
    ) -> Result<Option<T>> {
        let st = self.indexed(uri).await;
        guarded(what, || features::locate(&st, uri, pos).and_then(f))
            .ok_or_else(tower_lsp_server::jsonrpc::Error::internal_error)
    }

    /// Shows the first indexing as work-done progress. Runs on its own: indexing does not
    /// wait for the client to accept the progress token.
    async fn report_indexing(&self) {
        let started = self.snapshot().await;
        let token = lsp::NumberOrString::String("chant-lsp/index".into());
        let created = self
            .client
            .send_request::<request::WorkDoneProgressCreate>(lsp::WorkDoneProgressCreateParams {
                token: token.clone(),
            })
            .await
            .is_ok();
        if !created {
            return;
        }
        let progress = self
            .client
            .progress(token, "Indexing chant specs")
            .with_percentage(0)
            .begin()
            .await;
        let mut rx = self.snapshots.clone();
        let done = rx.wait_for(|s| s.seq >= started.seq && s.indexing.is_empty());
        let specs = match tokio::time::timeout(Duration::from_secs(600), done).await {
            Ok(Ok(s)) => s.roots.iter().map(|ws| ws.len()).sum::<usize>(),
            _ => 0,
        };
        progress
            .finish_with_message(format!(
                "{} indexed",
                crate::check::count(specs, "chant spec", "chant specs")
            ))
            .await;
    }

    /// A snapshot in which the workspace holding `uri` is indexed (bounded wait).
    pub(super) async fn indexed(&self, uri: &lsp::Uri) -> Arc<State> {
        let st = self.snapshot().await;
        let Some(path) = convert::path(uri) else {
            return st;
        };
        let loading = |s: &State| s.indexing.iter().any(|root| path.starts_with(root));
        if !loading(&st) {
            return st;
        }
        let mut rx = self.snapshots.clone();
        let got = match tokio::time::timeout(WAIT, rx.wait_for(|s| !loading(s))).await {
            Ok(Ok(s)) => Some(s.clone()),
            _ => None,
        };
        got.unwrap_or_else(|| self.current())
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs one handler's work; a panic (a bug of ours) is reported on stderr and the server
/// keeps serving instead of dying with the editor's session.
pub(super) fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(e) => {
            let msg = e
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| e.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!("internal error while handling {what}: {msg}");
            None
        }
    }
}

pub(super) fn request_failed(message: &str) -> tower_lsp_server::jsonrpc::Error {
    tower_lsp_server::jsonrpc::Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::ServerError(-32803), /* LSP RequestFailed */
        message: message.to_string().into(),
        data: None,
    }
}

/// Whether a path sits inside some `.chant/` directory (cheap test before any I/O).
fn in_chant_tree(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == ".chant")
}

fn negotiate_encoding(params: &lsp::InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&lsp::PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

fn encoding_kind(e: Encoding) -> lsp::PositionEncodingKind {
    match e {
        Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
        Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        Encoding::Utf32 => lsp::PositionEncodingKind::UTF32,
    }
}

/// The client command that opens a references view with `(uri, position, locations)`,
/// named by the client in `initializationOptions.showReferencesCommand`: VS Code's
/// `editor.action.showReferences` wants its own Uri/Position/Location objects, so the
/// extension names a command of its own that converts and calls it (as rust-analyzer's
/// does). Without one, lenses stay labels rather than fail when clicked.
fn show_references_command(params: &lsp::InitializeParams) -> Option<String> {
    params
        .initialization_options
        .as_ref()
        .and_then(|o| o.get("showReferencesCommand"))
        .and_then(|c| c.as_str())
        .filter(|c| !c.is_empty())
        .map(str::to_string)
}

#[allow(deprecated)] // root_uri / root_path: older clients send only these
fn workspace_folders(params: &lsp::InitializeParams) -> Vec<PathBuf> {
    if let Some(folders) = &params.workspace_folders {
        return folders
            .iter()
            .filter_map(|f| convert::given_path(&f.uri))
            .collect();
    }
    if let Some(p) = params.root_uri.as_ref().and_then(convert::given_path) {
        return vec![p];
    }
    params.root_path.iter().map(PathBuf::from).collect()
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let encoding = negotiate_encoding(&params);
        // Editors pass the person's disabled codes (VS Code's chant.diagnostics.disable).
        let disabled = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("disable"))
            .and_then(|d| d.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let caps = &params.capabilities;
        let resource_ops = caps
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.resource_operations.as_ref());
        let delete_files =
            resource_ops.is_some_and(|ops| ops.contains(&lsp::ResourceOperationKind::Delete));
        self.post(Event::Settings {
            encoding,
            disabled,
            delete_files,
        });
        *lock(&self.init) = InitInfo {
            folders: workspace_folders(&params),
            dynamic_watch: caps
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            progress: caps
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            apply_edit: caps
                .workspace
                .as_ref()
                .and_then(|w| w.apply_edit)
                .unwrap_or(false),
            // Resource operations exist only inside `documentChanges`, so announcing them
            // implies it; Neovim 0.11 announces `rename` without `documentChanges`.
            rename_files: resource_ops
                .is_some_and(|ops| ops.contains(&lsp::ResourceOperationKind::Rename)),
            client_name: params
                .client_info
                .as_ref()
                .map(|c| c.name.to_lowercase())
                .unwrap_or_default(),
            show_references: show_references_command(&params),
            lens_refresh: caps
                .workspace
                .as_ref()
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|c| c.refresh_support)
                .unwrap_or(false),
            tokens_refresh: caps
                .workspace
                .as_ref()
                .and_then(|w| w.semantic_tokens.as_ref())
                .and_then(|c| c.refresh_support)
                .unwrap_or(false),
        };
        // Pull only where the client can also be told to pull again (a change on disk must
        // reach it without an edit): VS Code does; Neovim 0.11 pulls but takes no refresh.
        let pull = caps
            .text_document
            .as_ref()
            .is_some_and(|t| t.diagnostic.is_some())
            && caps
                .workspace
                .as_ref()
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false);
        if pull {
            *lock(&self.delivery) = Delivery::Pull;
        }
        let rename_files = lock(&self.init).rename_files;
        Ok(lsp::InitializeResult {
            server_info: Some(lsp::ServerInfo {
                name: "chant-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: lsp::ServerCapabilities {
                position_encoding: Some(encoding_kind(encoding)),
                text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
                    lsp::TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                        // A save ends an edit session (see `did_change`).
                        save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    },
                )),
                code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                    lsp::CodeActionOptions {
                        code_action_kinds: Some(super::actions::kinds()),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
                definition_provider: Some(lsp::OneOf::Left(true)),
                references_provider: Some(lsp::OneOf::Left(true)),
                completion_provider: Some(lsp::CompletionOptions {
                    trigger_characters: Some(
                        [" ", "-", "[", ",", "/", ":"].map(String::from).to_vec(),
                    ),
                    ..Default::default()
                }),
                document_symbol_provider: Some(lsp::OneOf::Left(true)),
                workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
                inlay_hint_provider: Some(lsp::OneOf::Left(true)),
                code_lens_provider: Some(lsp::CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                // Renaming a spec moves its file: offered only to editors that can.
                rename_provider: rename_files.then_some(lsp::OneOf::Right(lsp::RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                document_link_provider: Some(lsp::DocumentLinkOptions {
                    resolve_provider: Some(false),
                    work_done_progress_options: Default::default(),
                }),
                folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
                call_hierarchy_provider: Some(lsp::CallHierarchyServerCapability::Simple(true)),
                // Clients that announce pull diagnostics pull them; the rest get pushes.
                diagnostic_provider: pull.then(|| {
                    lsp::DiagnosticServerCapabilities::Options(lsp::DiagnosticOptions {
                        identifier: Some("chant-lsp".into()),
                        inter_file_dependencies: true,
                        workspace_diagnostics: true,
                        work_done_progress_options: Default::default(),
                    })
                }),
                semantic_tokens_provider: Some(
                    lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                        lsp::SemanticTokensOptions {
                            legend: features::semantic_tokens_legend(),
                            full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                            range: Some(true),
                            work_done_progress_options: Default::default(),
                        },
                    ),
                ),
                execute_command_provider: Some(lsp::ExecuteCommandOptions {
                    commands: crate::ide::actions::Command::ALL
                        .iter()
                        .map(|c| c.name().to_string())
                        .chain(["chant-lsp.confirm".to_string()])
                        .collect(),
                    work_done_progress_options: Default::default(),
                }),
                workspace: Some(lsp::WorkspaceServerCapabilities {
                    workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(lsp::OneOf::Left(true)),
                    }),
                    file_operations: Some(lsp::WorkspaceFileOperationsServerCapabilities {
                        will_rename: Some(lsp::FileOperationRegistrationOptions {
                            filters: vec![lsp::FileOperationFilter {
                                scheme: Some("file".into()),
                                pattern: lsp::FileOperationPattern {
                                    glob: "**/.chant/{specs,archive}/**/*.md".into(),
                                    matches: Some(lsp::FileOperationPatternKind::File),
                                    options: None,
                                },
                            }],
                        }),
                        ..Default::default()
                    }),
                }),
                ..Default::default()
            },
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        let info = lock(&self.init).clone();
        // Helix registers for watched files but reports only the files it saved itself.
        let client_watches = info.dynamic_watch && info.client_name != "helix";
        if !client_watches {
            self.watcher.enable();
        }
        // Indexing starts now; the client's answers to our own requests (registration,
        // progress) are awaited on the side and never hold it up.
        self.post(Event::AddFolders(info.folders.clone()));
        if client_watches {
            let client = self.client.clone();
            tokio::spawn(async move { register_watchers(&client).await });
        }
        if info.progress {
            let this = self.clone();
            tokio::spawn(async move { this.report_indexing().await });
        }
        tokio::spawn(self.clone().watch_agent_processes());
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let Some(path) = convert::path(&params.text_document.uri) else {
            return;
        };
        if !in_chant_tree(&path) {
            return; // not a chant file: other markdown is left to other servers
        }
        lock(&self.editing).remove(&path);
        self.post(Event::Open {
            path,
            text: params.text_document.text,
            version: params.text_document.version,
        });
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let Some(path) = convert::path(&params.text_document.uri) else {
            return;
        };
        let starts_session = lock(&self.editing).insert(path.clone());
        self.post(Event::Change {
            path: path.clone(),
            version: params.text_document.version,
            changes: params.content_changes,
        });
        // The person starts editing: say once if an agent holds the spec. The lock is
        // on disk, not in the edit, so the newest snapshot answers without waiting.
        if starts_session {
            let st = self.current();
            let warning = guarded("the agent warning", || features::agent_warning(&st, &path));
            if let Some(text) = warning.flatten() {
                self.client
                    .show_message(lsp::MessageType::WARNING, text)
                    .await;
            }
        }
    }

    async fn did_save(&self, params: lsp::DidSaveTextDocumentParams) {
        if let Some(path) = convert::path(&params.text_document.uri) {
            lock(&self.editing).remove(&path);
        }
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let Some(path) = convert::path(&params.text_document.uri) else {
            return;
        };
        lock(&self.editing).remove(&path);
        self.post(Event::Close { path });
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        let paths: Vec<PathBuf> = params
            .changes
            .iter()
            .filter_map(|c| convert::path(&c.uri))
            .collect();
        self.post(Event::Disk(paths));
    }

    async fn did_change_workspace_folders(&self, params: lsp::DidChangeWorkspaceFoldersParams) {
        let folders = |list: &[lsp::WorkspaceFolder]| -> Vec<PathBuf> {
            list.iter()
                .filter_map(|f| convert::given_path(&f.uri))
                .collect()
        };
        let removed = folders(&params.event.removed);
        for root in &removed {
            self.watcher
                .unwatch_root(&std::fs::canonicalize(root).unwrap_or_else(|_| root.clone()));
        }
        self.post(Event::RemoveFolders(removed));
        self.post(Event::AddFolders(folders(&params.event.added)));
    }

    async fn hover(&self, p: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let tdp = p.text_document_position_params;
        self.at(
            "textDocument/hover",
            &tdp.text_document.uri,
            tdp.position,
            |at| features::hover(&at),
        )
        .await
    }

    async fn goto_definition(
        &self,
        p: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let tdp = p.text_document_position_params;
        self.at(
            "textDocument/definition",
            &tdp.text_document.uri,
            tdp.position,
            |at| features::definition(&at),
        )
        .await
    }

    async fn references(&self, p: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let tdp = p.text_document_position;
        let decl = p.context.include_declaration;
        self.at(
            "textDocument/references",
            &tdp.text_document.uri,
            tdp.position,
            |at| features::references(&at, decl),
        )
        .await
    }

    async fn completion(
        &self,
        p: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        let tdp = p.text_document_position;
        self.at(
            "textDocument/completion",
            &tdp.text_document.uri,
            tdp.position,
            |at| Some(features::completion(&at)),
        )
        .await
    }

    async fn document_symbol(
        &self,
        p: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        self.at(
            "textDocument/documentSymbol",
            &p.text_document.uri,
            lsp::Position::default(),
            |at| Some(features::document_symbols(&at)),
        )
        .await
    }

    async fn symbol(
        &self,
        p: lsp::WorkspaceSymbolParams,
    ) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        let st = self.snapshot().await;
        guarded("workspace/symbol", || {
            Some(features::workspace_symbols(&st, &p.query))
        })
        .ok_or_else(tower_lsp_server::jsonrpc::Error::internal_error)
    }

    async fn inlay_hint(&self, p: lsp::InlayHintParams) -> Result<Option<Vec<lsp::InlayHint>>> {
        self.at(
            "textDocument/inlayHint",
            &p.text_document.uri,
            lsp::Position::default(),
            |at| Some(features::inlay_hints(&at, p.range)),
        )
        .await
    }

    async fn code_lens(&self, p: lsp::CodeLensParams) -> Result<Option<Vec<lsp::CodeLens>>> {
        let show_references = lock(&self.init).show_references.clone();
        self.at(
            "textDocument/codeLens",
            &p.text_document.uri,
            lsp::Position::default(),
            |at| Some(features::code_lenses(&at, show_references.as_deref())),
        )
        .await
    }

    async fn prepare_call_hierarchy(
        &self,
        p: lsp::CallHierarchyPrepareParams,
    ) -> Result<Option<Vec<lsp::CallHierarchyItem>>> {
        let tdp = p.text_document_position_params;
        self.at(
            "textDocument/prepareCallHierarchy",
            &tdp.text_document.uri,
            tdp.position,
            |at| features::prepare_call_hierarchy(&at),
        )
        .await
    }

    async fn incoming_calls(
        &self,
        p: lsp::CallHierarchyIncomingCallsParams,
    ) -> Result<Option<Vec<lsp::CallHierarchyIncomingCall>>> {
        self.at(
            "callHierarchy/incomingCalls",
            &p.item.uri,
            lsp::Position::default(),
            |at| Some(features::incoming_calls(&at)),
        )
        .await
    }

    async fn outgoing_calls(
        &self,
        p: lsp::CallHierarchyOutgoingCallsParams,
    ) -> Result<Option<Vec<lsp::CallHierarchyOutgoingCall>>> {
        self.at(
            "callHierarchy/outgoingCalls",
            &p.item.uri,
            lsp::Position::default(),
            |at| Some(features::outgoing_calls(&at)),
        )
        .await
    }

    async fn semantic_tokens_full(
        &self,
        p: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        self.at(
            "textDocument/semanticTokens/full",
            &p.text_document.uri,
            lsp::Position::default(),
            |at| Some(features::semantic_tokens(&at, None).into()),
        )
        .await
    }

    async fn semantic_tokens_range(
        &self,
        p: lsp::SemanticTokensRangeParams,
    ) -> Result<Option<lsp::SemanticTokensRangeResult>> {
        self.at(
            "textDocument/semanticTokens/range",
            &p.text_document.uri,
            lsp::Position::default(),
            |at| Some(features::semantic_tokens(&at, Some(p.range)).into()),
        )
        .await
    }

    async fn document_link(
        &self,
        p: lsp::DocumentLinkParams,
    ) -> Result<Option<Vec<lsp::DocumentLink>>> {
        self.at(
            "textDocument/documentLink",
            &p.text_document.uri,
            lsp::Position::default(),
            |at| Some(features::document_links(&at)),
        )
        .await
    }

    async fn folding_range(
        &self,
        p: lsp::FoldingRangeParams,
    ) -> Result<Option<Vec<lsp::FoldingRange>>> {
        self.at(
            "textDocument/foldingRange",
            &p.text_document.uri,
            lsp::Position::default(),
            |at| Some(features::folding_ranges(&at)),
        )
        .await
    }

    async fn prepare_rename(
        &self,
        p: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        self.at(
            "textDocument/prepareRename",
            &p.text_document.uri,
            p.position,
            |at| features::prepare_rename(&at),
        )
        .await
    }

    async fn rename(&self, p: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        let tdp = p.text_document_position;
        if !lock(&self.init).rename_files {
            return Err(request_failed(
                "renaming a spec renames its file, and this editor cannot apply file renames",
            ));
        }
        let st = self.indexed(&tdp.text_document.uri).await;
        let outcome = guarded("textDocument/rename", || {
            let at = features::locate(&st, &tdp.text_document.uri, tdp.position)?;
            let id = crate::ide::navigation::subject(at.ws, at.key, at.offset)?;
            Some(
                crate::ide::rename::rename(at.ws, &id, &p.new_name)
                    .and_then(|plan| features::workspace_edit(&st, at.ws, plan)),
            )
        });
        match outcome {
            None => Err(tower_lsp_server::jsonrpc::Error::internal_error()),
            Some(None) => Ok(None),
            Some(Some(Ok(edit))) => Ok(Some(edit)),
            Some(Some(Err(why))) => Err(request_failed(&why)),
        }
    }

    async fn will_rename_files(
        &self,
        p: lsp::RenameFilesParams,
    ) -> Result<Option<lsp::WorkspaceEdit>> {
        let st = self.snapshot().await;
        guarded("workspace/willRenameFiles", || {
            let mut merged = crate::ide::rename::RenamePlan::default();
            let mut ws_index = None;
            for f in &p.files {
                let (Ok(old), Ok(new)) =
                    (f.old_uri.parse::<lsp::Uri>(), f.new_uri.parse::<lsp::Uri>())
                else {
                    continue;
                };
                let (Some(from), Some(to)) = (convert::path(&old), convert::path(&new)) else {
                    continue;
                };
                let Some(i) = st.root_index(&from) else {
                    continue;
                };
                ws_index = Some(i);
                let plan = crate::ide::rename::will_rename_file(&st.roots[i], &from, &to);
                for (path, edits) in plan.edits {
                    merged.edits.entry(path).or_default().extend(edits);
                }
            }
            let i = ws_index?;
            Some(features::text_only_edit(&st, &st.roots[i], merged))
                .filter(|e| e.changes.as_ref().is_some_and(|c| !c.is_empty()))
        })
        .ok_or_else(tower_lsp_server::jsonrpc::Error::internal_error)
    }

    async fn execute_command(
        &self,
        p: lsp::ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        // Debug builds only: lets the tests prove a panicking handler does not end the session.
        #[cfg(debug_assertions)]
        if p.command == "chant-lsp.debug.panic" {
            return guarded("chant-lsp.debug.panic", || {
                panic!("deliberate panic (debug builds only)")
            })
            .ok_or_else(tower_lsp_server::jsonrpc::Error::internal_error);
        }
        let call = Backend::call(&p.command, &p.arguments)?;
        // The flow goes on after this answer: dialogs wait for the person without
        // holding a request slot. A panic inside is caught and reported.
        let this = self.clone();
        let name = p.command;
        tokio::spawn(async move {
            use futures::FutureExt;
            let ran = std::panic::AssertUnwindSafe(this.run_call(call))
                .catch_unwind()
                .await;
            if ran.is_err() {
                tracing::error!("internal error while running {name}");
                this.client
                    .show_message(
                        lsp::MessageType::ERROR,
                        format!("chant-lsp: {name} failed with an internal error; nothing more was changed"),
                    )
                    .await;
            }
            this.client
                .log_message(lsp::MessageType::LOG, format!("{name} finished"))
                .await;
        });
        Ok(None)
    }

    async fn diagnostic(
        &self,
        p: lsp::DocumentDiagnosticParams,
    ) -> Result<lsp::DocumentDiagnosticReportResult> {
        let st = self.indexed(&p.text_document.uri).await;
        let items = convert::path(&p.text_document.uri).and_then(|path| {
            guarded("textDocument/diagnostic", || {
                super::state::file_diagnostics(&st, &path)
            })
            .flatten()
        });
        let items = items.unwrap_or_default();
        let id = super::state::result_id(&items);
        let report = if p.previous_result_id.as_deref() == Some(id.as_str()) {
            lsp::DocumentDiagnosticReport::Unchanged(
                lsp::RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: lsp::UnchangedDocumentDiagnosticReport {
                        result_id: id,
                    },
                },
            )
        } else {
            lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                    result_id: Some(id),
                    items,
                },
            })
        };
        Ok(lsp::DocumentDiagnosticReportResult::Report(report))
    }

    /// Every file's diagnostics. When the client already has them all, the answer waits
    /// (up to a minute) for a change, so a client that pulls again at once does not spin.
    async fn workspace_diagnostic(
        &self,
        p: lsp::WorkspaceDiagnosticParams,
    ) -> Result<lsp::WorkspaceDiagnosticReportResult> {
        let previous: HashMap<String, String> = p
            .previous_result_ids
            .into_iter()
            .map(|r| (r.uri.to_string(), r.value))
            .collect();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        let mut rx = self.snapshots.clone();
        let mut st = self.snapshot().await;
        loop {
            let all = guarded("workspace/diagnostic", || {
                super::state::all_diagnostics(&st)
            })
            .ok_or_else(tower_lsp_server::jsonrpc::Error::internal_error)?;
            let mut items = Vec::new();
            let mut changed = false;
            for (path, diags) in all {
                let Some(uri) = convert::uri(&path) else {
                    continue;
                };
                let id = super::state::result_id(&diags);
                let version = st.open.get(&path).map(|d| i64::from(d.version));
                match previous.get(uri.as_str()) {
                    Some(prev) if *prev == id => {
                        items.push(lsp::WorkspaceDocumentDiagnosticReport::Unchanged(
                            lsp::WorkspaceUnchangedDocumentDiagnosticReport {
                                uri,
                                version,
                                unchanged_document_diagnostic_report:
                                    lsp::UnchangedDocumentDiagnosticReport { result_id: id },
                            },
                        ))
                    }
                    // Nothing to show and nothing shown before: not worth an entry.
                    None if diags.is_empty() => {}
                    _ => {
                        changed = true;
                        items.push(lsp::WorkspaceDocumentDiagnosticReport::Full(
                            lsp::WorkspaceFullDocumentDiagnosticReport {
                                uri,
                                version,
                                full_document_diagnostic_report:
                                    lsp::FullDocumentDiagnosticReport {
                                        result_id: Some(id),
                                        items: diags,
                                    },
                            },
                        ));
                    }
                }
            }
            if changed || previous.is_empty() || tokio::time::Instant::now() >= deadline {
                return Ok(lsp::WorkspaceDiagnosticReportResult::Report(
                    lsp::WorkspaceDiagnosticReport { items },
                ));
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {
                    // Let a burst of changes (typing) settle before recomputing.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    st = self.current();
                }
                Ok(Err(_)) => return Err(tower_lsp_server::jsonrpc::Error::internal_error()),
                Err(_) => {} // the minute is over: answer with what there is
            }
        }
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        let st = self.indexed(&params.text_document.uri).await;
        let Some(path) = convert::path(&params.text_document.uri) else {
            return Ok(None);
        };
        let confirms = self.asks.offered(&path);
        guarded("textDocument/codeAction", || {
            super::actions::code_actions(
                &st,
                confirms,
                &path,
                &params.text_document.uri,
                params.range,
                &params.context,
            )
        })
        .map(Some)
        .ok_or_else(tower_lsp_server::jsonrpc::Error::internal_error)
    }
}

/// How often the processes named by agents' locks are looked at.
const AGENT_POLL: Duration = Duration::from_secs(2);

impl Backend {
    /// An agent that is killed or crashes leaves its lock and changes no file. So every
    /// [`AGENT_POLL`] the PIDs of the locks are looked at (a `/proc` lookup each); when one
    /// stops (or starts) running, its spec is re-checked (the `stale-agent-lock` hint) and
    /// the client asked to refresh its lenses.
    async fn watch_agent_processes(self) {
        let mut known: HashMap<PathBuf, Option<bool>> = HashMap::new();
        loop {
            tokio::time::sleep(AGENT_POLL).await;
            let st = self.current();
            let mut now = HashMap::new();
            let mut changed = Vec::new();
            for ws in &st.roots {
                for (lock_file, pid) in ws.agent_locks() {
                    let alive = ws.processes.alive(pid);
                    // A lock first seen dead may have been checked while its agent ran.
                    let was = known.get(&lock_file).copied();
                    if was.map_or(alive == Some(false), |was| was != alive) {
                        changed.push(lock_file.clone());
                    }
                    now.insert(lock_file, alive);
                }
            }
            known = now;
            if changed.is_empty() {
                continue;
            }
            self.post(Event::Disk(changed));
            if lock(&self.init).lens_refresh {
                let asked = self.client.code_lens_refresh();
                let _ = tokio::time::timeout(Duration::from_secs(5), asked).await;
            }
        }
    }
}

/// Asks the client to fetch code lenses and semantic tokens again when what they show
/// changed without an edit of that buffer: agent files (an agent took a spec, finished,
/// failed), or the set of specs and who depends on whom (a spec created, deleted, archived
/// or rewritten on disk: lens counts and resolved-ID tokens of other specs change). The
/// client would otherwise show the old ones until the next edit. Only clients that
/// announce `refreshSupport` for each.
async fn refresh_views(
    client: Client,
    mut snapshots: watch::Receiver<Arc<State>>,
    init: Arc<Mutex<InitInfo>>,
) {
    let mut before = snapshots.borrow_and_update().clone();
    while snapshots.changed().await.is_ok() {
        let now = snapshots.borrow_and_update().clone();
        let (mut agents, mut graph) = (false, false);
        for ws in &now.roots {
            if let Some(b) = before.roots.iter().find(|b| b.root == ws.root) {
                agents |= b.agents_version() != ws.agents_version();
                graph |= b.graph_version() != ws.graph_version();
            }
        }
        before = now;
        let (lens, tokens) = {
            let init = lock(&init);
            (init.lens_refresh, init.tokens_refresh)
        };
        // A client that does not answer must not stop later refreshes.
        if (agents || graph) && lens {
            let _ = tokio::time::timeout(Duration::from_secs(5), client.code_lens_refresh()).await;
        }
        if graph && tokens {
            let _ = tokio::time::timeout(Duration::from_secs(5), client.semantic_tokens_refresh())
                .await;
        }
    }
}

async fn register_watchers(client: &Client) {
    let options = lsp::DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![lsp::FileSystemWatcher {
            glob_pattern: lsp::GlobPattern::String("**/.chant/**".into()),
            kind: None,
        }],
    };
    let Ok(options) = serde_json::to_value(options) else {
        return;
    };
    let registration = lsp::Registration {
        id: "chant-lsp/watch".into(),
        method: <notification::DidChangeWatchedFiles as notification::Notification>::METHOD.into(),
        register_options: Some(options),
    };
    if let Err(e) = client.register_capability(vec![registration]).await {
        client
            .log_message(
                lsp::MessageType::WARNING,
                format!("chant-lsp: could not watch .chant/ for changes on disk: {e}"),
            )
            .await;
    }
}
