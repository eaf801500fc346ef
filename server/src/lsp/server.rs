//! The protocol layer: translates LSP messages into model updates and feature calls,
//! and their results back. Holds no logic of its own.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{self as lsp, notification, request};
use tower_lsp_server::{Client, LanguageServer};

use crate::model::vfs::Fs;
use crate::model::workspace::find_roots;
use crate::syntax::Encoding;

use super::convert;
use super::document::{Change, Document};
use super::features;
use super::state::{Publish, State};

pub struct Backend {
    pub(super) client: Client,
    pub(super) state: Arc<Mutex<State>>,
    publisher: mpsc::UnboundedSender<Publish>,
    pub(super) init: Mutex<InitInfo>,
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
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        let (tx, mut rx) = mpsc::unbounded_channel::<Publish>();
        let c = client.clone();
        tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                c.publish_diagnostics(p.uri, p.diagnostics, p.version).await;
            }
        });
        Backend {
            client,
            state: Arc::new(Mutex::new(State::default())),
            publisher: tx,
            init: Mutex::new(InitInfo::default()),
        }
    }

    /// A handler that panicked while holding the lock must not take the server down.
    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
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
        self.indexed(uri).await;
        guarded(what, || {
            let st = self.state();
            features::locate(&st, uri, pos).and_then(f)
        })
        .ok_or_else(tower_lsp_server::jsonrpc::Error::internal_error)
    }

    /// Waits (boundedly) until the workspace holding `uri` has been indexed.
    pub(super) async fn indexed(&self, uri: &lsp::Uri) {
        let Some(path) = convert::path(uri) else {
            return;
        };
        for _ in 0..3000 {
            if !self
                .state()
                .indexing
                .iter()
                .any(|root| path.starts_with(root))
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    pub(super) fn send(&self, publishes: Vec<Publish>) {
        for p in publishes {
            let _ = self.publisher.send(p);
        }
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
            eprintln!("chant-lsp: internal error while handling {what}: {msg}");
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

#[allow(deprecated)] // root_uri / root_path: older clients send only these
fn workspace_folders(params: &lsp::InitializeParams) -> Vec<PathBuf> {
    if let Some(folders) = &params.workspace_folders {
        return folders
            .iter()
            .filter_map(|f| convert::path(&f.uri))
            .collect();
    }
    if let Some(p) = params.root_uri.as_ref().and_then(convert::path) {
        return vec![p];
    }
    params.root_path.iter().map(PathBuf::from).collect()
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let encoding = negotiate_encoding(&params);
        {
            let mut st = self.state();
            st.encoding = encoding;
            // Editors pass the person's disabled codes (VS Code's chant.diagnostics.disable).
            st.disabled = params
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
        }
        let caps = &params.capabilities;
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
            rename_files: caps
                .workspace
                .as_ref()
                .and_then(|w| w.workspace_edit.as_ref())
                .is_some_and(|e| {
                    e.document_changes == Some(true)
                        && e.resource_operations
                            .as_ref()
                            .is_some_and(|ops| ops.contains(&lsp::ResourceOperationKind::Rename))
                }),
        };
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
                        ..Default::default()
                    },
                )),
                code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                    lsp::CodeActionOptions {
                        code_action_kinds: Some(vec![
                            lsp::CodeActionKind::QUICKFIX,
                            lsp::CodeActionKind::SOURCE,
                        ]),
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
        let client = self.client.clone();
        let state = self.state.clone();
        let publisher = self.publisher.clone();
        let mut roots: Vec<PathBuf> = info.folders.iter().flat_map(|f| find_roots(f)).collect();
        roots.sort();
        roots.dedup();
        {
            let mut st = lock(&state);
            st.indexing.extend(roots.iter().cloned());
        }
        // Indexing runs after `initialize` has answered, off the request path.
        tokio::spawn(async move {
            if info.dynamic_watch {
                register_watchers(&client).await;
            }
            let token = lsp::NumberOrString::String("chant-lsp/index".into());
            let progress = if info.progress {
                let created = client
                    .send_request::<request::WorkDoneProgressCreate>(
                        lsp::WorkDoneProgressCreateParams {
                            token: token.clone(),
                        },
                    )
                    .await
                    .is_ok();
                if created {
                    Some(
                        client
                            .progress(token, "Indexing chant specs")
                            .with_percentage(0)
                            .begin()
                            .await,
                    )
                } else {
                    None
                }
            } else {
                None
            };
            let total = roots.len().max(1);
            for (n, root) in roots.into_iter().enumerate() {
                let fs: Arc<dyn Fs> = lock(&state).fs.clone();
                let shown = root.display().to_string();
                let ws =
                    tokio::task::spawn_blocking(move || crate::actions::load_workspace(root, fs))
                        .await;
                let Ok(ws) = ws else { continue };
                let count = ws.len();
                let publishes =
                    guarded("indexing", || lock(&state).install(ws)).unwrap_or_default();
                for p in publishes {
                    let _ = publisher.send(p);
                }
                if let Some(p) = &progress {
                    p.report_with_message(
                        format!("{shown}: {count} specs"),
                        (((n + 1) * 100) / total) as u32,
                    )
                    .await;
                }
            }
            if let Some(p) = progress {
                p.finish_with_message("chant specs indexed").await;
            }
        });
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
        let out = guarded("textDocument/didOpen", || {
            let mut st = self.state();
            let mut out = st.ensure_root_for(&path);
            if !st.is_chant_file(&path) && st.root_index(&path).is_some() {
                return out;
            }
            let doc = Document::new(&params.text_document.text, params.text_document.version);
            st.open.insert(path.clone(), doc);
            out.extend(st.update(&path, Some(params.text_document.text)));
            out
        });
        self.send(out.unwrap_or_default());
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let Some(path) = convert::path(&params.text_document.uri) else {
            return;
        };
        let mut st = self.state();
        let enc = st.encoding;
        let Some(doc) = st.open.get_mut(&path) else {
            return;
        };
        for c in &params.content_changes {
            let range = c.range.map(|r| {
                (
                    (r.start.line, r.start.character),
                    (r.end.line, r.end.character),
                )
            });
            doc.apply(
                &Change {
                    range,
                    text: &c.text,
                },
                enc,
            );
        }
        doc.version = params.text_document.version;
        let text = doc.text();
        let out = st.update(&path, Some(text));
        drop(st);
        self.send(out);
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let Some(path) = convert::path(&params.text_document.uri) else {
            return;
        };
        let out = guarded("textDocument/didClose", || {
            let mut st = self.state();
            if st.open.remove(&path).is_none() {
                return Vec::new();
            }
            // The disk's text is the truth again.
            st.update(&path, None)
        });
        self.send(out.unwrap_or_default());
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        let mut st = self.state();
        let mut paths = Vec::new();
        for change in params.changes {
            let Some(path) = convert::path(&change.uri) else {
                continue;
            };
            paths.extend(changed_paths(&st, &path));
        }
        let out = st.update_from_disk(&paths);
        drop(st);
        self.send(out);
    }

    async fn did_change_workspace_folders(&self, params: lsp::DidChangeWorkspaceFoldersParams) {
        let fs = self.state().fs.clone();
        for removed in &params.event.removed {
            for root in convert::path(&removed.uri)
                .map(|p| find_roots(&p))
                .unwrap_or_default()
            {
                let out = self.state().remove_root(&root);
                self.send(out);
            }
        }
        for added in &params.event.added {
            for root in convert::path(&added.uri)
                .map(|p| find_roots(&p))
                .unwrap_or_default()
            {
                if self.state().has_root(&root) {
                    continue;
                }
                let fs = fs.clone();
                let Ok(ws) =
                    tokio::task::spawn_blocking(move || crate::actions::load_workspace(root, fs))
                        .await
                else {
                    continue;
                };
                let out = self.state().install(ws);
                self.send(out);
            }
        }
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
        guarded("workspace/symbol", || {
            Some(features::workspace_symbols(&self.state(), &p.query))
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
        self.at(
            "textDocument/codeLens",
            &p.text_document.uri,
            lsp::Position::default(),
            |at| Some(features::code_lenses(&at)),
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
        self.indexed(&tdp.text_document.uri).await;
        let outcome = guarded("textDocument/rename", || {
            let st = self.state();
            let at = features::locate(&st, &tdp.text_document.uri, tdp.position)?;
            let id = crate::ide::navigation::subject(at.ws, at.key, at.offset)?;
            Some(
                crate::ide::rename::rename(at.ws, &id, &p.new_name)
                    .map(|plan| features::workspace_edit(&st, at.ws, plan)),
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
        guarded("workspace/willRenameFiles", || {
            let st = self.state();
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
        // The flows await the client (dialogs, edits); a panic anywhere inside is caught
        // here and answered as an error, and the server keeps serving.
        use futures::FutureExt;
        match std::panic::AssertUnwindSafe(self.run_command(&p.command, p.arguments))
            .catch_unwind()
            .await
        {
            Ok(result) => result,
            Err(_) => {
                eprintln!("chant-lsp: internal error while running {}", p.command);
                Err(tower_lsp_server::jsonrpc::Error::internal_error())
            }
        }
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        self.indexed(&params.text_document.uri).await;
        let Some(path) = convert::path(&params.text_document.uri) else {
            return Ok(None);
        };
        guarded("textDocument/codeAction", || {
            let st = self.state();
            super::actions::quick_fixes(
                &st,
                &path,
                &params.text_document.uri,
                params.range,
                &params.context.diagnostics,
            )
        })
        .map(Some)
        .ok_or_else(tower_lsp_server::jsonrpc::Error::internal_error)
    }
}

/// The files to re-read after `path` changed on disk; a directory stands for the specs
/// in it. Open buffers win over the disk.
fn changed_paths(st: &State, path: &Path) -> Vec<PathBuf> {
    if st.open.contains_key(path) {
        return Vec::new();
    }
    if path.extension().is_some() && !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    // A directory came or went (an archive date folder, `mv specs/x ...`).
    let Some(i) = st.root_index(path) else {
        return Vec::new();
    };
    let ws = &st.roots[i];
    let mut paths: Vec<PathBuf> = ws
        .specs()
        .map(|(_, f)| f.path.clone())
        .filter(|p| p.starts_with(path))
        .collect();
    paths.extend(
        ws.spec_paths_on_disk()
            .into_iter()
            .filter(|p| p.starts_with(path)),
    );
    paths.sort();
    paths.dedup();
    paths.retain(|p| !st.open.contains_key(p));
    paths
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
