//! The maintainer's flows, the ones with side effects: start a phase's spec; draft, submit,
//! update, refresh and open the upstream pull request; archive a spec or a whole
//! investigation. Each is an async function of a workspace snapshot and a [`Ctx`] of small
//! interfaces ([`ports`]); `lsp/` implements those over the protocol and only translates.
//!
//! Every flow plans first, asks the person once where anything leaves the machine or moves,
//! then does all of it or none, and ends with one message.

pub mod archive;
pub mod ports;
pub mod pr;
pub mod start_phase;
pub mod text;

#[cfg(test)]
pub mod fakes;
#[cfg(test)]
mod tests;

use std::time::Duration;

pub use ports::{Answer, Buffer, Disk, Editor, Forges, Git, Level, Person, Question};

/// How long a confirmation waits for an answer: ten minutes (the environment variable
/// `CHANT_LSP_CONFIRM_WAIT_SECS` changes it, for tests). Stated wherever it matters.
pub fn confirm_wait() -> Duration {
    let secs = std::env::var("CHANT_LSP_CONFIRM_WAIT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    Duration::from_secs(secs)
}

/// `confirm_wait()` in words: "10 minutes", "5 seconds".
pub fn confirm_wait_words() -> String {
    let s = confirm_wait().as_secs();
    if s >= 60 && s % 60 == 0 {
        crate::check::count((s / 60) as usize, "minute", "minutes")
    } else {
        crate::check::count(s as usize, "second", "seconds")
    }
}

/// What the person reads when nobody answered in time.
pub fn expired(action: &str) -> String {
    format!(
        "Nothing done: the confirmation waited {} unanswered and expired. Run \"{action}\" again.",
        confirm_wait_words()
    )
}

/// What a flow reaches the world through.
pub struct Ctx<'a> {
    pub person: &'a dyn Person,
    pub editor: &'a dyn Editor,
    pub disk: &'a dyn Disk,
    pub git: &'a dyn Git,
    pub forges: &'a dyn Forges,
    /// The environment variable `GH_HOST` (gh's: only remotes on that host count).
    pub gh_host: Option<String>,
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Ctx<'_> {
    pub async fn info(&self, text: impl Into<String>) {
        self.person.tell(Level::Info, text.into()).await;
    }

    pub async fn warn(&self, text: impl Into<String>) {
        self.person.tell(Level::Warning, text.into()).await;
    }

    pub async fn error(&self, text: impl Into<String>) {
        self.person.tell(Level::Error, text.into()).await;
    }
}
