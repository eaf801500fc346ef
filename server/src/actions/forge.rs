//! GitHub, behind a small trait: the protocol layer's flows use `Forge`, tests replace it,
//! and `OctocrabForge` is the only code that knows octocrab.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

#[cfg(test)]
pub mod fake;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoId {
    pub owner: String,
    pub name: String,
}

impl std::fmt::Display for RepoId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewPr {
    pub base: RepoId,
    pub head_owner: String,
    pub branch: String,
    pub base_branch: String,
    pub title: String,
    pub body: String,
    pub draft: bool,
}

impl NewPr {
    /// `owner:branch`: GitHub ignores a bare branch name when listing, and would then
    /// return every open PR.
    pub fn head_label(&self) -> String {
        format!("{}:{}", self.head_owner, self.branch)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PrSummary {
    pub number: u64,
    /// The page a person opens (`html_url`).
    pub url: String,
    pub merged: bool,
    /// `state == open`; a merged PR is closed.
    pub open: bool,
    pub draft: bool,
    pub title: String,
    /// `""` when GitHub has no body.
    pub body: String,
    /// `head.ref`.
    pub head_branch: String,
    /// The fork's owner: `head.repo.owner.login`, else the part of `head.label` before `:`.
    pub head_owner: String,
    pub head_sha: String,
}

impl PrSummary {
    /// One word for messages. Merged wins over closed, and a draft is only a draft while open.
    pub fn state_word(&self) -> &'static str {
        if self.merged {
            "merged"
        } else if !self.open {
            "closed"
        } else if self.draft {
            "draft"
        } else {
            "open"
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    Approved,
    ChangesRequested,
    /// No decisive review yet (only comments, pending or dismissed reviews, or none).
    None,
}

impl std::fmt::Display for Review {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Review::Approved => "approved",
            Review::ChangesRequested => "changes requested",
            Review::None => "no review yet",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checks {
    Passing,
    Failing,
    Pending,
    /// The head commit has no check runs and no commit statuses.
    None,
}

impl std::fmt::Display for Checks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Checks::Passing => "checks passing",
            Checks::Failing => "checks failing",
            Checks::Pending => "checks pending",
            Checks::None => "no checks",
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrStatus {
    pub pr: PrSummary,
    pub review: Review,
    pub checks: Checks,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ForgeError {
    /// GitHub answered with an error.
    Api {
        status: u16,
        message: String,
        details: Vec<String>,
    },
    /// GitHub could not be reached, or did not answer in time.
    Network(String),
}

impl ForgeError {
    /// A sentence a person can act on.
    pub fn explain(&self) -> String {
        match self {
            ForgeError::Api { status: 401, .. } => "GitHub rejected the token (401 Bad credentials): refresh it (GH_TOKEN, GITHUB_TOKEN or `gh auth login`)".into(),
            ForgeError::Api { status: 403, message, .. } => format!("GitHub refused (403): {message}; the token may lack the `repo` scope or hit a rate limit"),
            ForgeError::Api { status: 404, .. } => "GitHub says the repository does not exist, or the token cannot see it (404)".into(),
            ForgeError::Api { status: 422, message, details } => {
                let joined = details.join("; ");
                if joined.contains("No commits between") {
                    format!("GitHub refused: {joined} (the branch has nothing the base does not have; push the fix commits first)")
                } else if joined.is_empty() {
                    format!("GitHub refused the request (422 {message})")
                } else {
                    format!("GitHub refused the request (422 {message}): {joined}")
                }
            }
            ForgeError::Api { status, message, .. } => format!("GitHub answered {status}: {message}"),
            ForgeError::Network(e) => format!("could not reach GitHub: {e}"),
        }
    }

    pub fn already_exists(&self) -> bool {
        matches!(self, ForgeError::Api { status: 422, details, .. } if details.iter().any(|d| d.contains("already exists")))
    }
}

pub trait Forge: Send + Sync {
    fn default_branch<'a>(&'a self, repo: &'a RepoId) -> BoxFuture<'a, Result<String, ForgeError>>;
    /// The open PR from `head_owner:branch` into `base_branch`, if any.
    fn find_open_pr<'a>(
        &'a self,
        pr: &'a NewPr,
    ) -> BoxFuture<'a, Result<Option<PrSummary>, ForgeError>>;
    fn create_pr<'a>(&'a self, pr: &'a NewPr) -> BoxFuture<'a, Result<PrSummary, ForgeError>>;
    fn get_pr<'a>(
        &'a self,
        repo: &'a RepoId,
        number: u64,
    ) -> BoxFuture<'a, Result<PrSummary, ForgeError>>;
    /// The PR from `head_owner:branch` on `base`, in any state: an open one first, else the
    /// newest merged, else the newest closed.
    fn find_pr<'a>(
        &'a self,
        base: &'a RepoId,
        head_owner: &'a str,
        branch: &'a str,
    ) -> BoxFuture<'a, Result<Option<PrSummary>, ForgeError>>;
    /// Replaces the PR's title and body.
    fn update_pr<'a>(
        &'a self,
        repo: &'a RepoId,
        number: u64,
        title: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<PrSummary, ForgeError>>;
    /// The PR with its review decision and the state of its head commit's checks.
    fn pr_status<'a>(
        &'a self,
        repo: &'a RepoId,
        number: u64,
    ) -> BoxFuture<'a, Result<PrStatus, ForgeError>>;
}

/// Of the PRs from one head, the one a person means: an open one (the newest, if the head
/// has several bases), else the newest merged, else the newest closed.
pub fn prefer(prs: impl IntoIterator<Item = PrSummary>) -> Option<PrSummary> {
    prs.into_iter().max_by_key(|p| (p.open, p.merged, p.number))
}

pub struct OctocrabForge {
    client: octocrab::Octocrab,
}

impl OctocrabForge {
    /// Must run inside the tokio runtime (octocrab spawns its service there).
    pub fn new(
        api_base: &str,
        token: &SecretString,
        timeout: Duration,
    ) -> Result<OctocrabForge, ForgeError> {
        let builder = octocrab::Octocrab::builder()
            .personal_token(token.expose_secret().to_string())
            .base_uri(api_base)
            .map_err(|e| ForgeError::Network(format!("bad API address {api_base}: {e}")))?
            .set_connect_timeout(Some(Duration::from_secs(10)))
            .set_read_timeout(Some(timeout))
            .set_write_timeout(Some(timeout))
            .add_header(http::header::ACCEPT, "application/vnd.github+json".into())
            .add_header(
                http::HeaderName::from_static("x-github-api-version"),
                "2022-11-28".into(),
            );
        let client = builder
            .build()
            .map_err(|e| ForgeError::Network(format!("cannot set up the GitHub client: {e}")))?;
        Ok(OctocrabForge { client })
    }
}

fn map_err(e: octocrab::Error) -> ForgeError {
    match e {
        octocrab::Error::GitHub { source, .. } => ForgeError::Api {
            status: source.status_code.as_u16(),
            message: source.message.clone(),
            details: source
                .errors
                .unwrap_or_default()
                .iter()
                .map(|v| {
                    v.get("message")
                        .and_then(|m| m.as_str())
                        .map_or_else(|| v.to_string(), str::to_string)
                })
                .collect(),
        },
        other => ForgeError::Network(first_line(&other.to_string())),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

fn summary(pr: octocrab::models::pulls::PullRequest) -> PrSummary {
    let head = *pr.head;
    let head_owner = head
        .repo
        .as_ref()
        .and_then(|r| r.owner.as_ref())
        .map(|o| o.login.clone())
        .or_else(|| {
            head.label
                .as_deref()
                .and_then(|l| l.split_once(':'))
                .map(|(owner, _)| owner.to_string())
        })
        .or_else(|| head.user.as_ref().map(|u| u.login.clone()))
        .unwrap_or_default();
    PrSummary {
        number: pr.number,
        url: pr
            .html_url
            .map_or_else(|| pr.url.clone(), |u| u.to_string()),
        merged: pr.merged_at.is_some() || pr.merged == Some(true),
        open: matches!(pr.state, Some(octocrab::models::IssueState::Open)),
        draft: pr.draft == Some(true),
        title: pr.title.unwrap_or_default(),
        body: pr.body.unwrap_or_default(),
        head_branch: head.ref_field,
        head_owner,
        head_sha: head.sha,
    }
}

/// GitHub ignores a malformed `head` filter and lists every PR, so each one is checked again.
fn head_matches(p: &octocrab::models::pulls::PullRequest, owner: &str, branch: &str) -> bool {
    p.head.ref_field == branch
        && p.head
            .label
            .as_deref()
            .is_none_or(|l| l == format!("{owner}:{branch}"))
}

/// The parts of GitHub's answers octocrab has no model for (a check run's `status`) or
/// models more strictly than we need (reviews): every field may be missing.
mod wire {
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct Login {
        pub login: String,
    }

    /// One item of `GET /repos/{o}/{r}/pulls/{n}/reviews`, oldest first.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct ReviewJson {
        pub user: Option<Login>,
        pub state: Option<String>,
    }

    /// `GET /repos/{o}/{r}/commits/{sha}/check-runs` (the latest run of each check).
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct CheckRunsJson {
        pub total_count: u64,
        pub check_runs: Vec<CheckRunJson>,
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct CheckRunJson {
        pub status: Option<String>,
        pub conclusion: Option<String>,
    }

    /// `GET /repos/{o}/{r}/commits/{sha}/status`: the latest status of each context.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct CombinedStatusJson {
        pub state: Option<String>,
        pub total_count: u64,
        pub statuses: Vec<StatusJson>,
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    pub struct StatusJson {
        pub state: Option<String>,
    }
}

use wire::{CheckRunJson, CheckRunsJson, CombinedStatusJson, ReviewJson};

/// Each reviewer's latest decisive review counts: comments and pending reviews change
/// nothing, and a dismissed one takes back that reviewer's decision.
fn reduce_reviews(reviews: &[ReviewJson]) -> Review {
    let mut latest = std::collections::HashMap::new();
    for r in reviews {
        let state = r.state.as_deref().unwrap_or("").to_ascii_uppercase();
        if state == "COMMENTED" || state == "PENDING" {
            continue;
        }
        latest.insert(r.user.as_ref().map_or("", |u| u.login.as_str()), state);
    }
    if latest.values().any(|s| s == "CHANGES_REQUESTED") {
        Review::ChangesRequested
    } else if latest.values().any(|s| s == "APPROVED") {
        Review::Approved
    } else {
        Review::None
    }
}

/// What one check run or commit status says about the commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Fail,
    Wait,
    Pass,
    /// neutral, skipped, stale: there, but without a verdict.
    Neither,
}

fn run_verdict(run: &CheckRunJson) -> Verdict {
    if run.status.as_deref().is_some_and(|s| s != "completed") {
        // queued, in_progress, waiting, requested, pending.
        return Verdict::Wait;
    }
    match run.conclusion.as_deref() {
        Some("failure" | "cancelled" | "timed_out" | "action_required" | "startup_failure") => {
            Verdict::Fail
        }
        Some("success") => Verdict::Pass,
        // No conclusion yet: the run has not finished.
        None => Verdict::Wait,
        Some(_) => Verdict::Neither,
    }
}

fn status_verdict(state: Option<&str>) -> Verdict {
    match state {
        Some("failure" | "error") => Verdict::Fail,
        Some("pending") => Verdict::Wait,
        Some("success") => Verdict::Pass,
        _ => Verdict::Neither,
    }
}

/// Check runs and legacy commit statuses together: one failure fails, else one still
/// running waits, else one success passes.
fn reduce_checks(runs: &[CheckRunJson], combined: &CombinedStatusJson) -> Checks {
    let mut verdicts: Vec<Verdict> = runs.iter().map(run_verdict).collect();
    verdicts.extend(
        combined
            .statuses
            .iter()
            .map(|s| status_verdict(s.state.as_deref())),
    );
    // The combined state says "pending" for a commit without any status, so it only
    // counts when statuses exist that the answer did not list.
    if combined.statuses.is_empty() && combined.total_count > 0 {
        verdicts.push(status_verdict(combined.state.as_deref()));
    }
    if verdicts.contains(&Verdict::Fail) {
        Checks::Failing
    } else if verdicts.contains(&Verdict::Wait) {
        Checks::Pending
    } else if verdicts.contains(&Verdict::Pass) {
        Checks::Passing
    } else {
        Checks::None
    }
}

/// Page size for the lists `pr_status` reads: GitHub's maximum.
const PAGE: usize = 100;
/// So a pathological PR cannot keep one status request going for long.
const MAX_PAGES: usize = 10;

impl OctocrabForge {
    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        route: &str,
        query: &[(&str, String)],
    ) -> Result<T, ForgeError> {
        self.client.get(route, Some(query)).await.map_err(map_err)
    }

    async fn reviews(&self, repo: &RepoId, number: u64) -> Result<Vec<ReviewJson>, ForgeError> {
        let route = format!("/repos/{}/{}/pulls/{number}/reviews", repo.owner, repo.name);
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let batch: Vec<ReviewJson> = self
                .get_json(
                    &route,
                    &[("per_page", PAGE.to_string()), ("page", page.to_string())],
                )
                .await?;
            let full = batch.len() >= PAGE;
            all.extend(batch);
            if !full {
                break;
            }
        }
        Ok(all)
    }

    async fn check_runs(&self, repo: &RepoId, sha: &str) -> Result<Vec<CheckRunJson>, ForgeError> {
        let route = format!(
            "/repos/{}/{}/commits/{sha}/check-runs",
            repo.owner, repo.name
        );
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let batch: CheckRunsJson = self
                .get_json(
                    &route,
                    &[("per_page", PAGE.to_string()), ("page", page.to_string())],
                )
                .await?;
            let full = batch.check_runs.len() >= PAGE;
            all.extend(batch.check_runs);
            if !full || all.len() as u64 >= batch.total_count {
                break;
            }
        }
        Ok(all)
    }

    async fn combined_status(
        &self,
        repo: &RepoId,
        sha: &str,
    ) -> Result<CombinedStatusJson, ForgeError> {
        let route = format!("/repos/{}/{}/commits/{sha}/status", repo.owner, repo.name);
        self.get_json(&route, &[("per_page", PAGE.to_string())])
            .await
    }
}

impl Forge for OctocrabForge {
    fn default_branch<'a>(&'a self, repo: &'a RepoId) -> BoxFuture<'a, Result<String, ForgeError>> {
        Box::pin(async move {
            let r = self
                .client
                .repos(&repo.owner, &repo.name)
                .get()
                .await
                .map_err(map_err)?;
            r.default_branch.ok_or_else(|| {
                ForgeError::Network(format!(
                    "GitHub did not say which branch is {repo}'s default"
                ))
            })
        })
    }

    fn find_open_pr<'a>(
        &'a self,
        pr: &'a NewPr,
    ) -> BoxFuture<'a, Result<Option<PrSummary>, ForgeError>> {
        Box::pin(async move {
            let page = self
                .client
                .pulls(&pr.base.owner, &pr.base.name)
                .list()
                .state(octocrab::params::State::Open)
                .head(pr.head_label())
                .base(pr.base_branch.clone())
                .per_page(10u8)
                .send()
                .await
                .map_err(map_err)?;
            let found = page
                .items
                .into_iter()
                .find(|p| head_matches(p, &pr.head_owner, &pr.branch));
            Ok(found.map(summary))
        })
    }

    fn create_pr<'a>(&'a self, pr: &'a NewPr) -> BoxFuture<'a, Result<PrSummary, ForgeError>> {
        Box::pin(async move {
            let created = self
                .client
                .pulls(&pr.base.owner, &pr.base.name)
                .create(pr.title.clone(), pr.head_label(), pr.base_branch.clone())
                .body(pr.body.clone())
                .draft(pr.draft)
                .send()
                .await
                .map_err(map_err)?;
            Ok(summary(created))
        })
    }

    fn get_pr<'a>(
        &'a self,
        repo: &'a RepoId,
        number: u64,
    ) -> BoxFuture<'a, Result<PrSummary, ForgeError>> {
        Box::pin(async move {
            self.client
                .pulls(&repo.owner, &repo.name)
                .get(number)
                .await
                .map(summary)
                .map_err(map_err)
        })
    }

    fn find_pr<'a>(
        &'a self,
        base: &'a RepoId,
        head_owner: &'a str,
        branch: &'a str,
    ) -> BoxFuture<'a, Result<Option<PrSummary>, ForgeError>> {
        Box::pin(async move {
            let page = self
                .client
                .pulls(&base.owner, &base.name)
                .list()
                .state(octocrab::params::State::All)
                .head(format!("{head_owner}:{branch}"))
                .per_page(30u8)
                .send()
                .await
                .map_err(map_err)?;
            Ok(prefer(
                page.items
                    .into_iter()
                    .filter(|p| head_matches(p, head_owner, branch))
                    .map(summary),
            ))
        })
    }

    fn update_pr<'a>(
        &'a self,
        repo: &'a RepoId,
        number: u64,
        title: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<PrSummary, ForgeError>> {
        Box::pin(async move {
            self.client
                .pulls(&repo.owner, &repo.name)
                .update(number)
                .title(title)
                .body(body)
                .send()
                .await
                .map(summary)
                .map_err(map_err)
        })
    }

    fn pr_status<'a>(
        &'a self,
        repo: &'a RepoId,
        number: u64,
    ) -> BoxFuture<'a, Result<PrStatus, ForgeError>> {
        Box::pin(async move {
            let pr = self
                .client
                .pulls(&repo.owner, &repo.name)
                .get(number)
                .await
                .map(summary)
                .map_err(map_err)?;
            // Without a head commit there is nothing to ask about checks.
            let (reviews, runs, combined) = if pr.head_sha.is_empty() {
                let reviews = self.reviews(repo, number).await?;
                (reviews, Vec::new(), CombinedStatusJson::default())
            } else {
                futures::future::try_join3(
                    self.reviews(repo, number),
                    self.check_runs(repo, &pr.head_sha),
                    self.combined_status(repo, &pr.head_sha),
                )
                .await?
            };
            Ok(PrStatus {
                review: reduce_reviews(&reviews),
                checks: reduce_checks(&runs, &combined),
                pr,
            })
        })
    }
}

/// `https://github.com/owner/repo/pull/7` -> (owner/repo, 7).
pub fn parse_pr_url(url: &str) -> Option<(RepoId, u64)> {
    let path = url.split_once("://")?.1.split_once('/')?.1;
    let mut parts = path.split('/');
    let owner = parts.next()?.to_string();
    let name = parts.next()?.to_string();
    (parts.next()? == "pull").then_some(())?;
    let number = parts.next()?.parse().ok()?;
    Some((RepoId { owner, name }, number))
}

/// The e2e tests' fake GitHub, reused so the octocrab paths are checked without the binary.
#[cfg(test)]
#[allow(dead_code)]
#[path = "../../../tests/e2e/fake_github.rs"]
mod fake_github;

#[cfg(test)]
mod tests {
    use super::fake_github::{
        check_runs_json, combined_status_json, pr_json_full, reviews_json, FakeGitHub,
    };
    use super::*;
    use serde_json::json;

    fn reviews(v: serde_json::Value) -> Review {
        let parsed: Vec<ReviewJson> = serde_json::from_value(v).expect("reviews parse");
        reduce_reviews(&parsed)
    }

    fn checks(runs: serde_json::Value, status: serde_json::Value) -> Checks {
        let runs: CheckRunsJson = serde_json::from_value(runs).expect("check runs parse");
        let status: CombinedStatusJson = serde_json::from_value(status).expect("status parses");
        reduce_checks(&runs.check_runs, &status)
    }

    #[test]
    fn a_reviewers_latest_decisive_review_counts() {
        let r = |list: &[(&str, &str)]| reviews(reviews_json(list));
        assert_eq!(r(&[]), Review::None);
        assert_eq!(r(&[("ann", "COMMENTED"), ("bob", "PENDING")]), Review::None);
        assert_eq!(
            r(&[("ann", "APPROVED"), ("ann", "COMMENTED")]),
            Review::Approved
        );
        assert_eq!(
            r(&[("ann", "CHANGES_REQUESTED"), ("ann", "APPROVED")]),
            Review::Approved,
            "ann changed her mind"
        );
        assert_eq!(
            r(&[("ann", "APPROVED"), ("bob", "CHANGES_REQUESTED")]),
            Review::ChangesRequested,
            "one reviewer still wants changes"
        );
        assert_eq!(
            r(&[("bob", "CHANGES_REQUESTED"), ("bob", "DISMISSED")]),
            Review::None,
            "a dismissed review takes the request back"
        );
        assert_eq!(
            r(&[
                ("bob", "CHANGES_REQUESTED"),
                ("bob", "DISMISSED"),
                ("ann", "APPROVED")
            ]),
            Review::Approved
        );
        // GitHub's documented shape, with a deleted user (`null`) and unknown fields.
        let documented = json!([
            {"id": 80, "node_id": "MDE3", "user": {"login": "octocat", "id": 1, "site_admin": false},
             "body": "Here is the body for the review.", "state": "APPROVED",
             "html_url": "https://github.com/octocat/Hello-World/pull/12#pullrequestreview-80",
             "_links": {"html": {"href": "x"}}, "submitted_at": "2019-11-17T17:43:43Z",
             "commit_id": "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091", "author_association": "COLLABORATOR"},
            {"id": 81, "user": null, "state": "COMMENTED", "body": null}
        ]);
        assert_eq!(reviews(documented), Review::Approved);
    }

    #[test]
    fn one_failure_fails_then_one_pending_waits_then_one_success_passes() {
        let c = |runs: &[(&str, Option<&str>)], state: &str, n: usize| {
            checks(check_runs_json(runs), combined_status_json(state, n))
        };
        let done = |conclusion| ("completed", Some(conclusion));
        // A commit without statuses is "pending" to GitHub, but it has no checks.
        assert_eq!(c(&[], "pending", 0), Checks::None);
        assert_eq!(
            c(&[done("neutral"), done("skipped")], "pending", 0),
            Checks::None
        );
        assert_eq!(c(&[done("success")], "pending", 0), Checks::Passing);
        assert_eq!(c(&[], "success", 2), Checks::Passing);
        assert_eq!(
            c(&[done("success"), ("in_progress", None)], "success", 1),
            Checks::Pending
        );
        assert_eq!(c(&[("queued", None)], "pending", 0), Checks::Pending);
        assert_eq!(c(&[done("success")], "pending", 1), Checks::Pending);
        for failed in ["failure", "cancelled", "timed_out", "action_required"] {
            assert_eq!(
                c(&[("in_progress", None), done(failed)], "success", 1),
                Checks::Failing,
                "{failed}"
            );
        }
        assert_eq!(c(&[done("success")], "error", 1), Checks::Failing);
        assert_eq!(c(&[("queued", None)], "failure", 3), Checks::Failing);
        // Statuses GitHub counted but did not list still count, through the combined state.
        let unlisted = json!({"state": "failure", "total_count": 1, "statuses": []});
        assert_eq!(checks(check_runs_json(&[]), unlisted), Checks::Failing);
        // Missing fields are no verdict rather than a parse failure.
        assert_eq!(checks(json!({}), json!({})), Checks::None);
    }

    #[test]
    fn state_words_and_display() {
        let pr = |open, merged, draft| PrSummary {
            open,
            merged,
            draft,
            ..PrSummary::default()
        };
        assert_eq!(pr(false, true, false).state_word(), "merged");
        assert_eq!(pr(true, false, true).state_word(), "draft");
        assert_eq!(pr(true, false, false).state_word(), "open");
        assert_eq!(pr(false, false, true).state_word(), "closed");
        assert_eq!(
            format!("{}, {}", Review::ChangesRequested, Checks::Pending),
            "changes requested, checks pending"
        );
    }

    fn forge(gh: &FakeGitHub) -> OctocrabForge {
        let token = SecretString::from("ghp_SMOKETOKEN");
        OctocrabForge::new(&gh.url, &token, Duration::from_secs(5)).expect("client")
    }

    fn acme() -> RepoId {
        RepoId {
            owner: "acme".into(),
            name: "kvstore".into(),
        }
    }

    #[tokio::test]
    async fn pr_status_and_update_pr_speak_githubs_rest_api() {
        let gh = FakeGitHub::start();
        let pr = pr_json_full(
            7,
            "forker",
            "fix-1234",
            "open",
            false,
            true,
            "Fix #1234",
            "",
            "c0ffee",
        );
        gh.route("GET", "/repos/acme/kvstore/pulls/7", 200, pr);
        gh.route(
            "GET",
            "/repos/acme/kvstore/pulls/7/reviews",
            200,
            reviews_json(&[("ann", "APPROVED"), ("bob", "COMMENTED")]),
        );
        gh.route(
            "GET",
            "/repos/acme/kvstore/commits/c0ffee/check-runs",
            200,
            check_runs_json(&[("completed", Some("success")), ("in_progress", None)]),
        );
        gh.route(
            "GET",
            "/repos/acme/kvstore/commits/c0ffee/status",
            200,
            combined_status_json("success", 1),
        );
        let edited = pr_json_full(
            7,
            "forker",
            "fix-1234",
            "open",
            false,
            false,
            "New title",
            "New body",
            "c0ffee",
        );
        gh.route("PATCH", "/repos/acme/kvstore/pulls/7", 200, edited);
        let f = forge(&gh);

        let status = f.pr_status(&acme(), 7).await.expect("status");
        assert_eq!(
            (status.review, status.checks),
            (Review::Approved, Checks::Pending)
        );
        assert_eq!(
            status.pr,
            PrSummary {
                number: 7,
                url: "https://github.com/acme/kvstore/pull/7".into(),
                merged: false,
                open: true,
                draft: true,
                title: "Fix #1234".into(),
                body: String::new(),
                head_branch: "fix-1234".into(),
                head_owner: "forker".into(),
                head_sha: "c0ffee".into(),
            }
        );
        let mut asked: Vec<String> = gh
            .requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        asked.sort();
        assert_eq!(
            asked,
            [
                "GET /repos/acme/kvstore/commits/c0ffee/check-runs?per_page=100&page=1",
                "GET /repos/acme/kvstore/commits/c0ffee/status?per_page=100",
                "GET /repos/acme/kvstore/pulls/7",
                "GET /repos/acme/kvstore/pulls/7/reviews?per_page=100&page=1",
            ]
        );

        let updated = f
            .update_pr(&acme(), 7, "New title", "New body")
            .await
            .expect("updated");
        assert_eq!(
            (updated.title.as_str(), updated.body.as_str()),
            ("New title", "New body")
        );
        let patch = gh
            .requests()
            .into_iter()
            .find(|r| r.method == "PATCH")
            .expect("a PATCH");
        assert_eq!(patch.path, "/repos/acme/kvstore/pulls/7");
        let sent = patch.json();
        assert_eq!(
            (&sent["title"], &sent["body"]),
            (&json!("New title"), &json!("New body"))
        );
        for r in gh.requests() {
            assert_eq!(r.header("authorization"), Some("Bearer ghp_SMOKETOKEN"));
        }
    }

    #[tokio::test]
    async fn find_pr_lists_every_state_and_drops_other_heads() {
        let gh = FakeGitHub::start();
        let pr = |n, owner, state, merged| {
            pr_json_full(n, owner, "fix-1234", state, merged, false, "t", "b", "abc")
        };
        gh.route(
            "GET",
            "/repos/acme/kvstore/pulls",
            200,
            json!([
                pr(9, "someone", "open", false),
                pr(6, "forker", "closed", false),
                pr(5, "forker", "closed", true),
                pr(3, "forker", "closed", true),
            ]),
        );
        let found = forge(&gh)
            .find_pr(&acme(), "forker", "fix-1234")
            .await
            .expect("listed");
        assert_eq!(found.map(|p| (p.number, p.merged)), Some((5, true)));
        let paths: Vec<String> = gh.requests().into_iter().map(|r| r.path).collect();
        assert_eq!(
            paths,
            ["/repos/acme/kvstore/pulls?state=all&head=forker%3Afix-1234&per_page=30"]
        );
    }
}
