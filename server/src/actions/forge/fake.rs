//! An in-memory GitHub for the flows' unit tests: PRs live in a list, every call is
//! recorded as one line, and any call can be made to fail.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use super::{
    prefer, BoxFuture, Checks, Forge, ForgeError, NewPr, PrStatus, PrSummary, RepoId, Review,
};

struct Stored {
    base: RepoId,
    base_branch: String,
    pr: PrSummary,
}

#[derive(Default)]
struct State {
    prs: Vec<Stored>,
    statuses: HashMap<u64, (Review, Checks)>,
    fail_next: Option<ForgeError>,
    calls: Vec<String>,
}

pub struct FakeForge {
    default_branch: String,
    state: Mutex<State>,
}

impl Default for FakeForge {
    fn default() -> Self {
        FakeForge::new()
    }
}

impl FakeForge {
    /// No PRs; every repository's default branch is `main`.
    pub fn new() -> FakeForge {
        FakeForge {
            default_branch: "main".into(),
            state: Mutex::new(State::default()),
        }
    }

    pub fn with_default_branch(mut self, branch: &str) -> FakeForge {
        self.default_branch = branch.to_string();
        self
    }

    /// A PR that already exists on `base`, into `base_branch`.
    pub fn add_pr(&self, base: RepoId, base_branch: &str, pr: PrSummary) {
        self.state().prs.push(Stored {
            base,
            base_branch: base_branch.to_string(),
            pr,
        });
    }

    /// What `pr_status` reports for PR `number`; unset means no review and no checks.
    pub fn set_status(&self, number: u64, review: Review, checks: Checks) {
        self.state().statuses.insert(number, (review, checks));
    }

    /// The next call, whichever it is, answers `error` (and is still recorded).
    pub fn fail_next(&self, error: ForgeError) {
        self.state().fail_next = Some(error);
    }

    /// One line per call so far, oldest first.
    pub fn calls(&self) -> Vec<String> {
        self.state().calls.clone()
    }

    /// A test that panicked while holding the lock must not hide the next assertion.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records `call`, then hands out the armed failure if there is one.
    fn enter(&self, call: String) -> Result<MutexGuard<'_, State>, ForgeError> {
        let mut st = self.state();
        st.calls.push(call);
        match st.fail_next.take() {
            Some(e) => Err(e),
            None => Ok(st),
        }
    }
}

fn not_found() -> ForgeError {
    ForgeError::Api {
        status: 404,
        message: "Not Found".into(),
        details: Vec::new(),
    }
}

fn find<'s>(st: &'s mut State, repo: &RepoId, number: u64) -> Result<&'s mut Stored, ForgeError> {
    st.prs
        .iter_mut()
        .find(|s| s.base == *repo && s.pr.number == number)
        .ok_or_else(not_found)
}

impl Forge for FakeForge {
    fn default_branch<'a>(&'a self, repo: &'a RepoId) -> BoxFuture<'a, Result<String, ForgeError>> {
        let r = self
            .enter(format!("default_branch {repo}"))
            .map(|_| self.default_branch.clone());
        Box::pin(async move { r })
    }

    fn find_open_pr<'a>(
        &'a self,
        pr: &'a NewPr,
    ) -> BoxFuture<'a, Result<Option<PrSummary>, ForgeError>> {
        let r = self
            .enter(format!(
                "find_open_pr {} {} {}",
                pr.base,
                pr.head_label(),
                pr.base_branch
            ))
            .map(|st| {
                st.prs
                    .iter()
                    .find(|s| {
                        s.base == pr.base
                            && s.base_branch == pr.base_branch
                            && s.pr.open
                            && s.pr.head_owner == pr.head_owner
                            && s.pr.head_branch == pr.branch
                    })
                    .map(|s| s.pr.clone())
            });
        Box::pin(async move { r })
    }

    fn create_pr<'a>(&'a self, pr: &'a NewPr) -> BoxFuture<'a, Result<PrSummary, ForgeError>> {
        let r = self
            .enter(format!(
                "create_pr {} {} -> {} draft={} {:?}",
                pr.base,
                pr.head_label(),
                pr.base_branch,
                pr.draft,
                pr.title
            ))
            .and_then(|mut st| {
                let taken = st.prs.iter().any(|s| {
                    s.base == pr.base
                        && s.pr.open
                        && s.pr.head_owner == pr.head_owner
                        && s.pr.head_branch == pr.branch
                });
                if taken {
                    return Err(ForgeError::Api {
                        status: 422,
                        message: "Validation Failed".into(),
                        details: vec![format!(
                            "A pull request already exists for {}.",
                            pr.head_label()
                        )],
                    });
                }
                let number = st
                    .prs
                    .iter()
                    .filter(|s| s.base == pr.base)
                    .map(|s| s.pr.number)
                    .max()
                    .unwrap_or(0)
                    + 1;
                let created = PrSummary {
                    number,
                    url: format!("https://github.com/{}/pull/{number}", pr.base),
                    merged: false,
                    open: true,
                    draft: pr.draft,
                    title: pr.title.clone(),
                    body: pr.body.clone(),
                    head_branch: pr.branch.clone(),
                    head_owner: pr.head_owner.clone(),
                    head_sha: String::new(),
                };
                st.prs.push(Stored {
                    base: pr.base.clone(),
                    base_branch: pr.base_branch.clone(),
                    pr: created.clone(),
                });
                Ok(created)
            });
        Box::pin(async move { r })
    }

    fn get_pr<'a>(
        &'a self,
        repo: &'a RepoId,
        number: u64,
    ) -> BoxFuture<'a, Result<PrSummary, ForgeError>> {
        let r = self
            .enter(format!("get_pr {repo} #{number}"))
            .and_then(|mut st| find(&mut st, repo, number).map(|s| s.pr.clone()));
        Box::pin(async move { r })
    }

    fn find_pr<'a>(
        &'a self,
        base: &'a RepoId,
        head_owner: &'a str,
        branch: &'a str,
    ) -> BoxFuture<'a, Result<Option<PrSummary>, ForgeError>> {
        let r = self
            .enter(format!("find_pr {base} {head_owner}:{branch}"))
            .map(|st| {
                prefer(
                    st.prs
                        .iter()
                        .filter(|s| {
                            s.base == *base
                                && s.pr.head_owner == head_owner
                                && s.pr.head_branch == branch
                        })
                        .map(|s| s.pr.clone()),
                )
            });
        Box::pin(async move { r })
    }

    fn update_pr<'a>(
        &'a self,
        repo: &'a RepoId,
        number: u64,
        title: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<PrSummary, ForgeError>> {
        let r = self
            .enter(format!("update_pr {repo} #{number}"))
            .and_then(|mut st| {
                let s = find(&mut st, repo, number)?;
                s.pr.title = title.to_string();
                s.pr.body = body.to_string();
                Ok(s.pr.clone())
            });
        Box::pin(async move { r })
    }

    fn pr_status<'a>(
        &'a self,
        repo: &'a RepoId,
        number: u64,
    ) -> BoxFuture<'a, Result<PrStatus, ForgeError>> {
        let r = self
            .enter(format!("pr_status {repo} #{number}"))
            .and_then(|mut st| {
                let pr = find(&mut st, repo, number)?.pr.clone();
                let (review, checks) = st
                    .statuses
                    .get(&number)
                    .copied()
                    .unwrap_or((Review::None, Checks::None));
                Ok(PrStatus { pr, review, checks })
            });
        Box::pin(async move { r })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acme() -> RepoId {
        RepoId {
            owner: "acme".into(),
            name: "kvstore".into(),
        }
    }

    fn pr(number: u64, open: bool, merged: bool) -> PrSummary {
        PrSummary {
            number,
            url: format!("https://github.com/acme/kvstore/pull/{number}"),
            merged,
            open,
            head_branch: "fix-1234".into(),
            head_owner: "forker".into(),
            ..PrSummary::default()
        }
    }

    fn new_pr() -> NewPr {
        NewPr {
            base: acme(),
            head_owner: "forker".into(),
            branch: "fix-1234".into(),
            base_branch: "main".into(),
            title: "Fix #1234".into(),
            body: "body".into(),
            draft: false,
        }
    }

    fn run<T>(f: BoxFuture<'_, T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn find_pr_prefers_open_then_newest_merged_then_newest_closed() {
        let fake = FakeForge::new();
        let found = |fake: &FakeForge| {
            run(fake.find_pr(&acme(), "forker", "fix-1234"))
                .ok()
                .flatten()
                .map(|p| p.number)
        };
        assert_eq!(found(&fake), None);
        fake.add_pr(acme(), "main", pr(2, false, false));
        fake.add_pr(acme(), "main", pr(1, false, false));
        assert_eq!(found(&fake), Some(2), "newest closed");
        fake.add_pr(acme(), "main", pr(3, false, true));
        fake.add_pr(acme(), "main", pr(5, false, true));
        fake.add_pr(acme(), "main", pr(6, false, false));
        assert_eq!(
            found(&fake),
            Some(5),
            "newest merged beats a newer closed one"
        );
        fake.add_pr(acme(), "main", pr(4, true, false));
        assert_eq!(found(&fake), Some(4), "open beats newer merged");
        // Another head's PR and another repository's PR are not this head's.
        let mut other = pr(9, true, false);
        other.head_owner = "someone".into();
        fake.add_pr(acme(), "main", other);
        let elsewhere = RepoId {
            owner: "forker".into(),
            name: "kvstore".into(),
        };
        fake.add_pr(elsewhere, "main", pr(10, true, false));
        assert_eq!(found(&fake), Some(4));
    }

    #[test]
    fn create_numbers_from_one_and_refuses_a_second_open_pr_from_one_head() {
        let fake = FakeForge::new();
        let first = run(fake.create_pr(&new_pr())).expect("created");
        assert_eq!(first.number, 1);
        assert_eq!(first.url, "https://github.com/acme/kvstore/pull/1");
        assert!(first.open && !first.merged);
        assert_eq!(
            run(fake.find_open_pr(&new_pr())).ok().flatten(),
            Some(first.clone())
        );
        let err = run(fake.create_pr(&new_pr())).expect_err("second open PR");
        assert!(err.already_exists(), "{err:?}");
        assert!(
            err.explain()
                .contains("A pull request already exists for forker:fix-1234."),
            "{}",
            err.explain()
        );
        // Once the first is merged, the same head may open another.
        fake.state().prs[0].pr = PrSummary {
            open: false,
            merged: true,
            ..first
        };
        assert_eq!(run(fake.create_pr(&new_pr())).map(|p| p.number), Ok(2));
    }

    #[test]
    fn update_changes_the_stored_pr_and_failures_come_once() {
        let fake = FakeForge::new().with_default_branch("trunk");
        fake.add_pr(acme(), "trunk", pr(7, true, false));
        fake.fail_next(ForgeError::Network("down".into()));
        assert_eq!(
            run(fake.update_pr(&acme(), 7, "New", "Text")),
            Err(ForgeError::Network("down".into()))
        );
        let updated = run(fake.update_pr(&acme(), 7, "New", "Text")).expect("updated");
        assert_eq!(
            (updated.title.as_str(), updated.body.as_str()),
            ("New", "Text")
        );
        assert_eq!(run(fake.get_pr(&acme(), 7)), Ok(updated.clone()));
        assert_eq!(
            run(fake.update_pr(&acme(), 8, "x", "y")).map_err(|e| e.explain()),
            Err(not_found().explain())
        );
        fake.set_status(7, Review::Approved, Checks::Pending);
        let status = run(fake.pr_status(&acme(), 7)).expect("status");
        assert_eq!(
            (status.pr, status.review, status.checks),
            (updated, Review::Approved, Checks::Pending)
        );
        assert_eq!(run(fake.default_branch(&acme())), Ok("trunk".to_string()));
        assert_eq!(
            fake.calls(),
            [
                "update_pr acme/kvstore #7",
                "update_pr acme/kvstore #7",
                "get_pr acme/kvstore #7",
                "update_pr acme/kvstore #8",
                "pr_status acme/kvstore #7",
                "default_branch acme/kvstore",
            ]
        );
    }

    #[test]
    fn calls_read_like_the_requests() {
        let fake = FakeForge::new();
        let _ = run(fake.find_open_pr(&new_pr()));
        let _ = run(fake.create_pr(&new_pr()));
        let _ = run(fake.find_pr(&acme(), "forker", "fix-1234"));
        assert_eq!(
            fake.calls(),
            [
                "find_open_pr acme/kvstore forker:fix-1234 main",
                "create_pr acme/kvstore forker:fix-1234 -> main draft=false \"Fix #1234\"",
                "find_pr acme/kvstore forker:fix-1234",
            ]
        );
    }
}
