//! How a flow's question reaches the person: a `window/showMessageRequest` dialog, or, in
//! an editor that cannot show one (Helix answers "method not found"), code actions on the
//! spec named "Confirm: …". Either way the flow just awaits an [`Answer`].
//!
//! One question waits per spec: a second run of an action replaces the first (the first
//! flow ends quietly). A question expires after `flows::confirm_wait()`; an answer that comes later
//! is told so, and nothing happens.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;
use tower_lsp_server::ls_types as lsp;

use crate::flows::{confirm_wait, confirm_wait_words, Answer, Question};

use super::server::lock;

/// What a person is told who answers a confirmation that no longer waits.
pub const LATE: &str = "That confirmation is no longer valid (it expired, or a newer run of the action replaced it): nothing was done. Run the action again.";

struct Waiting {
    id: u64,
    question: Question,
    tx: oneshot::Sender<Answer>,
    /// Offered as code actions (the editor has no dialogs).
    as_actions: bool,
}

/// The questions waiting for an answer, by spec.
#[derive(Default)]
pub struct Asks {
    next: AtomicU64,
    waiting: Mutex<HashMap<PathBuf, Waiting>>,
}

/// A confirmation offered as a code action: its title and the arguments of `chant-lsp.confirm`.
pub struct Offered {
    pub title: String,
    pub args: Vec<serde_json::Value>,
}

impl Asks {
    /// Registers `question`, replacing (and ending) one still waiting on the same spec.
    fn begin(&self, question: Question) -> (u64, oneshot::Receiver<Answer>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let (tx, rx) = oneshot::channel();
        let old = lock(&self.waiting).insert(
            question.spec.clone(),
            Waiting {
                id,
                question,
                tx,
                as_actions: false,
            },
        );
        if let Some(old) = old {
            let _ = old.tx.send(Answer::Replaced);
        }
        (id, rx)
    }

    /// Takes question `id` if it still waits (not answered, expired or replaced).
    fn take(&self, id: u64) -> Option<Waiting> {
        let mut w = lock(&self.waiting);
        let spec = w.iter().find(|(_, x)| x.id == id).map(|(p, _)| p.clone())?;
        w.remove(&spec)
    }

    fn offer_as_actions(&self, id: u64) -> bool {
        let mut w = lock(&self.waiting);
        match w.values_mut().find(|x| x.id == id) {
            Some(x) => {
                x.as_actions = true;
                true
            }
            None => false,
        }
    }

    /// Answers question `id` with choice `index` (from a "Confirm: …" code action); false
    /// when it no longer waits.
    pub fn answer(&self, id: u64, index: usize) -> bool {
        match self.take(id) {
            Some(w) if index < w.question.choices.len() => w.tx.send(Answer::Chose(index)).is_ok(),
            Some(w) => w.tx.send(Answer::Declined).is_ok(),
            None => false,
        }
    }

    /// The code actions that answer the question waiting on `spec`, if it waits as actions.
    pub fn offered(&self, spec: &Path) -> Vec<Offered> {
        let w = lock(&self.waiting);
        let Some(x) = w.get(spec).filter(|x| x.as_actions) else {
            return Vec::new();
        };
        x.question
            .choices
            .iter()
            .enumerate()
            .map(|(i, choice)| Offered {
                title: action_title(&x.question, choice),
                args: vec![x.id.to_string().into(), i.into()],
            })
            .collect()
    }
}

/// "Confirm: Create pull request: Open a public pull request on acme/kvstore? (forker:fix-1 -> main; Title: …)".
pub fn action_title(q: &Question, choice: &str) -> String {
    let mut lines = q.text.lines();
    let first = lines.next().unwrap_or_default();
    let rest: Vec<&str> = lines.filter(|l| !l.starts_with("- ")).take(3).collect();
    let mut t = format!("Confirm: {choice}: {first}");
    if !rest.is_empty() {
        t.push_str(&format!(" ({})", rest.join("; ")));
    }
    t
}

/// Asks the person through `client`, waiting at most `flows::confirm_wait()`.
pub async fn ask(
    asks: &Arc<Asks>,
    client: &tower_lsp_server::Client,
    question: Question,
) -> Answer {
    let items: Vec<lsp::MessageActionItem> = question
        .choices
        .iter()
        .chain(std::iter::once(&"Cancel".to_string()))
        .map(|c| lsp::MessageActionItem {
            title: c.clone(),
            properties: HashMap::new(),
        })
        .collect();
    let text = question.text.clone();
    let choices = question.choices.clone();
    let first_choice = choices.first().cloned().unwrap_or_default();
    let (id, rx) = asks.begin(question);
    // The dialog runs on its own, so a late click is still seen (and told it came too late).
    let (asks2, client2) = (asks.clone(), client.clone());
    tokio::spawn(async move {
        let r = client2
            .show_message_request(lsp::MessageType::WARNING, text, Some(items))
            .await;
        let chosen = match &r {
            Ok(Some(item)) => choices.iter().position(|c| *c == item.title),
            _ => None,
        };
        if let Err(e) = &r {
            if e.code == tower_lsp_server::jsonrpc::ErrorCode::MethodNotFound {
                if asks2.offer_as_actions(id) {
                    client2
                        .show_message(
                            lsp::MessageType::WARNING,
                            format!(
                                "This editor cannot show a confirmation dialog. To go ahead, pick \"Confirm: {first_choice}: …\" among the spec's code actions within {}; nothing happens otherwise.",
                                confirm_wait_words()
                            ),
                        )
                        .await;
                }
                return;
            }
        }
        match asks2.take(id) {
            Some(w) => {
                let _ = w.tx.send(chosen.map_or(Answer::Declined, Answer::Chose));
            }
            None if chosen.is_some() => {
                client2.show_message(lsp::MessageType::WARNING, LATE).await;
            }
            None => {}
        }
    });
    match tokio::time::timeout(confirm_wait(), rx).await {
        Ok(Ok(a)) => a,
        Ok(Err(_)) => Answer::Replaced,
        Err(_) => {
            asks.take(id);
            Answer::Expired
        }
    }
}
