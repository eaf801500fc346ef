//! GitHub, behind a small trait: the protocol layer's flows use `Forge`, tests replace it,
//! and `OctocrabForge` is the only code that knows octocrab.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

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

#[derive(Debug, Clone, PartialEq)]
pub struct PrSummary {
    pub number: u64,
    pub url: String,
    pub merged: bool,
    pub open: bool,
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
    PrSummary {
        number: pr.number,
        url: pr
            .html_url
            .map_or_else(|| pr.url.clone(), |u| u.to_string()),
        merged: pr.merged_at.is_some() || pr.merged == Some(true),
        open: matches!(pr.state, Some(octocrab::models::IssueState::Open)),
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
            // Re-check: GitHub ignores a malformed head filter and returns everything.
            let found = page.items.into_iter().find(|p| {
                p.head.ref_field == pr.branch
                    && p.head.label.as_deref().is_none_or(|l| l == pr.head_label())
            });
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
