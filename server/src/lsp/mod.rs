//! The only module that knows the Language Server Protocol.

mod actions;
mod commands;
mod convert;
pub mod document;
mod features;
mod server;
mod state;
mod watch;

use tower_lsp_server::{LspService, Server};

/// Serves LSP on stdin/stdout until the client sends `exit`.
pub fn serve_stdio() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("chant-lsp: cannot start the async runtime: {e}");
            std::process::exit(2);
        }
    };
    runtime.block_on(async {
        let (service, socket) = LspService::new(server::Backend::new);
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
}
