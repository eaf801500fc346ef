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

pub fn parse(text: &str) -> SpecSyntax {
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
