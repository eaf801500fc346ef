//! Text -> [`SpecSyntax`]: pure, total (every input gives a value), no filesystem.

pub mod body;
pub mod edit;
pub mod frontmatter;
pub mod outline;
pub mod text;
pub mod yaml;

pub use body::Body;
pub use frontmatter::{Frontmatter, Split};
pub use text::{Encoding, LineIndex, TextRange};

#[derive(Debug, Clone, PartialEq)]
pub struct SpecSyntax {
    pub split: Split,
    pub body: Body,
}

/// Debug builds only: a spec containing this line makes the parser panic, so the tests can
/// show that a parser bug costs one file an `internal-error` and nothing more.
#[cfg(debug_assertions)]
pub const DEBUG_PANIC: &str = "<!-- chant-lsp debug: panic while parsing -->";

pub fn parse(text: &str) -> SpecSyntax {
    #[cfg(debug_assertions)]
    if text.contains(DEBUG_PANIC) {
        panic!("debug panic requested by the spec's text");
    }
    let split = frontmatter::split(text);
    let body = body::parse(text, split.body_start);
    SpecSyntax { split, body }
}

impl SpecSyntax {
    pub fn frontmatter(&self) -> Option<&Frontmatter> {
        self.split.frontmatter.as_ref()
    }

    pub fn root(&self) -> Option<&yaml::YamlNode> {
        self.frontmatter().and_then(|f| f.root.as_ref())
    }
}
