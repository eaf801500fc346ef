//! The GitHub token, found where `gh` finds it. Held as a `SecretString` from the moment it
//! is read: never logged, never sent to the editor, never written by us.

use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::syntax::yaml;

/// Where the token came from (safe to show), and the token (whose `Debug` is redacted).
#[derive(Debug)]
pub struct Token {
    pub source: String,
    pub secret: SecretString,
}

/// The environment and files, injectable for tests.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
    fn read(&self, path: &Path) -> Option<String>;
}

pub struct RealEnv;

impl Env for RealEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
    fn read(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }
}

/// gh's order: `GH_TOKEN`, `GITHUB_TOKEN` (for GitHub Enterprise hosts gh reads
/// `GH_ENTERPRISE_TOKEN`, `GITHUB_ENTERPRISE_TOKEN` instead), then `hosts.yml` in
/// `GH_CONFIG_DIR`, else `$XDG_CONFIG_HOME/gh`, else `~/.config/gh`.
pub fn resolve(host: &str, env: &dyn Env) -> Result<Token, String> {
    let enterprise = host != "github.com" && !host.ends_with(".ghe.com");
    let vars: &[&str] = if enterprise {
        &["GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"]
    } else {
        &["GH_TOKEN", "GITHUB_TOKEN"]
    };
    for v in vars {
        if let Some(t) = env.var(v) {
            return checked(t, v.to_string());
        }
    }
    let dir = env
        .var("GH_CONFIG_DIR")
        .map(PathBuf::from)
        .or_else(|| env.var("XDG_CONFIG_HOME").map(|x| Path::new(&x).join("gh")))
        .or_else(|| env.var("HOME").map(|h| Path::new(&h).join(".config/gh")));
    if let Some(file) = dir.map(|d| d.join("hosts.yml")) {
        if let Some(text) = env.read(&file) {
            let (root, _) = yaml::parse(&text, 0);
            let token = root
                .as_ref()
                .and_then(|r| r.get(host))
                .and_then(|h| h.value.get("oauth_token"))
                .and_then(|t| t.value.as_scalar())
                .map(str::to_string);
            if let Some(t) = token {
                return checked(t, format!("{}", file.display()));
            }
        }
    }
    Err(format!(
        "no GitHub token for {host}: set {} or run `gh auth login` (a token kept only in the system keyring is not read)",
        vars[0]
    ))
}

/// Trimmed and plain visible ASCII: a newline in a token would make the HTTP header invalid.
fn checked(raw: String, source: String) -> Result<Token, String> {
    let t = raw.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "the GitHub token from {source} is empty or has characters a token cannot have"
        ));
    }
    Ok(Token {
        source,
        secret: SecretString::from(t.to_string()),
    })
}

/// The REST base for a host (`GITHUB_API_URL` overrides it).
pub fn api_base(host: &str, env: &dyn Env) -> String {
    if let Some(u) = env.var("GITHUB_API_URL") {
        return u.trim_end_matches('/').to_string();
    }
    match host {
        "github.com" => "https://api.github.com".into(),
        h if h.ends_with(".ghe.com") => format!("https://api.{h}"),
        h => format!("https://{h}/api/v3"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use secrecy::ExposeSecret;

    use super::*;

    struct FakeEnv(
        HashMap<&'static str, &'static str>,
        HashMap<PathBuf, &'static str>,
    );

    impl Env for FakeEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|s| s.to_string())
        }
        fn read(&self, path: &Path) -> Option<String> {
            self.1.get(path).map(|s| s.to_string())
        }
    }

    #[test]
    fn gh_order() {
        let hosts =
            "github.com:\n    user: me\n    oauth_token: gho_fromfile\n    git_protocol: https\n";
        let files = HashMap::from([
            (PathBuf::from("/cfg/gh/hosts.yml"), hosts),
            (PathBuf::from("/home/me/.config/gh/hosts.yml"), hosts),
        ]);
        let env = |vars: &[(&'static str, &'static str)]| {
            FakeEnv(vars.iter().copied().collect(), files.clone())
        };
        let t = resolve(
            "github.com",
            &env(&[("GH_TOKEN", "ghp_a\n"), ("GITHUB_TOKEN", "ghp_b")]),
        )
        .unwrap();
        assert_eq!(
            (t.source.as_str(), t.secret.expose_secret()),
            ("GH_TOKEN", "ghp_a")
        );
        let t = resolve("github.com", &env(&[("GITHUB_TOKEN", "ghp_b")])).unwrap();
        assert_eq!(t.secret.expose_secret(), "ghp_b");
        let t = resolve(
            "github.com",
            &env(&[("XDG_CONFIG_HOME", "/cfg"), ("HOME", "/home/me")]),
        )
        .unwrap();
        assert_eq!(
            (t.source.as_str(), t.secret.expose_secret()),
            ("/cfg/gh/hosts.yml", "gho_fromfile")
        );
        let t = resolve("github.com", &env(&[("HOME", "/home/me")])).unwrap();
        assert_eq!(t.secret.expose_secret(), "gho_fromfile");
        assert!(resolve("github.com", &env(&[]))
            .unwrap_err()
            .contains("gh auth login"));
        assert!(resolve("github.com", &env(&[("GH_TOKEN", "bad token")])).is_err());
        // Enterprise hosts use the enterprise variables.
        assert!(resolve("ghe.corp", &env(&[("GH_TOKEN", "ghp_a")])).is_err());
        assert_eq!(
            resolve("ghe.corp", &env(&[("GH_ENTERPRISE_TOKEN", "ghp_e")]))
                .unwrap()
                .secret
                .expose_secret(),
            "ghp_e"
        );
        // The Debug form of the secret never shows it.
        assert!(!format!("{:?}", t.secret).contains("gho_"));
    }

    #[test]
    fn api_bases() {
        let env = FakeEnv(HashMap::new(), HashMap::new());
        assert_eq!(api_base("github.com", &env), "https://api.github.com");
        assert_eq!(api_base("ghe.corp", &env), "https://ghe.corp/api/v3");
        let env = FakeEnv(
            HashMap::from([("GITHUB_API_URL", "http://127.0.0.1:9/")]),
            HashMap::new(),
        );
        assert_eq!(api_base("github.com", &env), "http://127.0.0.1:9");
    }
}
