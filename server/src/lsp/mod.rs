//! The only module that knows the Language Server Protocol.

mod actions;
mod commands;
mod confirm;
mod convert;
pub mod document;
mod features;
mod server;
mod state;
pub mod transport;
mod watch;

use std::process::ExitCode;

use tower_lsp_server::LspService;

/// The environment variable that sets the log filter (`debug`, `chant_lsp=trace,warn`, ...).
pub const LOG_ENV: &str = "CHANT_LSP_LOG";

/// Serves LSP on stdin/stdout until the client sends `exit` or closes stdin. Logs go to stderr,
/// warnings and errors only unless `log_level` (`--log-level`) or `CHANT_LSP_LOG` asks for more.
pub fn serve_stdio(log_level: Option<&str>) -> ExitCode {
    init_logging(log_level);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let code = runtime.block_on(async {
        let (service, socket) = LspService::new(server::Backend::new);
        transport::serve(service, socket).await
    });
    // Work still blocked (a directory walk, a read of stdin) must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    ExitCode::from(code)
}

fn init_logging(log_level: Option<&str>) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    let asked = log_level
        .map(str::to_string)
        .or_else(|| std::env::var(LOG_ENV).ok());
    let filter = match asked.as_deref().map(str::parse::<Targets>) {
        Some(Ok(f)) => f,
        None => Targets::new().with_default(LevelFilter::WARN),
        Some(Err(e)) => {
            eprintln!("chant-lsp: ignoring log filter {asked:?}: {e}");
            Targets::new().with_default(LevelFilter::WARN)
        }
    };
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .try_init();
}
