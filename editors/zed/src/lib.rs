//! Zed extension: starts `chant-lsp` for markdown files (the server itself ignores every
//! file outside a `.chant/` directory).

use zed_extension_api::{self as zed, settings::LspSettings, LanguageServerId, Result};

struct ChantExtension;

/// The command to run: the user's `lsp.chant-lsp.binary` setting, else `chant-lsp` on the
/// worktree's PATH.
pub fn resolve(configured: Option<String>, args: Option<Vec<String>>, on_path: Option<String>) -> std::result::Result<(String, Vec<String>), String> {
    let command = configured.or(on_path).ok_or_else(|| {
        "chant-lsp was not found on PATH: install it with `cargo install --path server` from the chant-lsp repository, or set lsp.chant-lsp.binary.path".to_string()
    })?;
    Ok((command, args.unwrap_or_default()))
}

impl zed::Extension for ChantExtension {
    fn new() -> Self {
        ChantExtension
    }

    fn language_server_command(&mut self, id: &LanguageServerId, worktree: &zed::Worktree) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(id.as_ref(), worktree).ok().and_then(|s| s.binary);
        let (path, args) = resolve(
            binary.as_ref().and_then(|b| b.path.clone()),
            binary.and_then(|b| b.arguments),
            worktree.which("chant-lsp"),
        )?;
        Ok(zed::Command { command: path, args, env: worktree.shell_env() })
    }
}

zed::register_extension!(ChantExtension);

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn setting_then_path_then_a_clear_error() {
        let got = resolve(Some("/opt/chant-lsp".into()), Some(vec!["--stdio".into()]), Some("/usr/bin/chant-lsp".into()));
        assert_eq!(got, Ok(("/opt/chant-lsp".into(), vec!["--stdio".into()])));
        assert_eq!(resolve(None, None, Some("/usr/bin/chant-lsp".into())), Ok(("/usr/bin/chant-lsp".into(), vec![])));
        assert!(resolve(None, None, None).unwrap_err().contains("cargo install"));
    }
}
