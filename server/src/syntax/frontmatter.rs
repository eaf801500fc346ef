//! Splitting a spec into frontmatter and body exactly where chant splits it
//! (`split_frontmatter`, chant-format §3.1), keeping byte ranges.

use super::text::{lines_from, TextRange};
use super::yaml::{self, YamlError, YamlNode};

#[derive(Debug, Clone, PartialEq)]
pub struct Frontmatter {
    /// The opening `---`.
    pub open: TextRange,
    /// The closing `---` (chant takes the next `---` *anywhere*, not only on its own line).
    pub close: TextRange,
    /// The YAML text between them.
    pub yaml: TextRange,
    /// None when the YAML is empty or did not parse.
    pub root: Option<YamlNode>,
    pub error: Option<YamlError>,
    /// Leading tabs in frontmatter lines: chant's YAML parser rejects tab indentation.
    pub tab_indents: Vec<TextRange>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub frontmatter: Option<Frontmatter>,
    /// Where chant's body starts (after the closing delimiter and leading whitespace).
    pub body_start: usize,
    /// An opening `---` without a closing one: chant then reads the whole file as body.
    pub unclosed_open: Option<TextRange>,
    /// The file starts with a byte-order mark, which hides the frontmatter from chant.
    pub bom: bool,
}

pub fn split(text: &str) -> Split {
    let bom = text.starts_with('\u{feff}');
    let lead = text.len() - text.trim_start().len();
    let trimmed = &text[lead..];
    let no_frontmatter = |unclosed_open| Split {
        frontmatter: None,
        body_start: lead,
        unclosed_open,
        bom,
    };
    if !trimmed.starts_with("---") {
        return no_frontmatter(None);
    }
    let yaml_start = lead + 3;
    // chant trims the whole file first, so a `---` in trailing whitespace cannot count; it can't
    // anyway, whitespace holds no dashes.
    let Some(rel) = text[yaml_start..].find("---") else {
        return no_frontmatter(Some(TextRange::new(lead, yaml_start)));
    };
    let yaml_end = yaml_start + rel;
    let close = TextRange::new(yaml_end, yaml_end + 3);
    let after = &text[close.end()..];
    let body_start = close.end() + (after.len() - after.trim_start().len());
    let src = &text[yaml_start..yaml_end];
    let (root, error) = yaml::parse(src, yaml_start);
    let tab_indents = lines_from(text, yaml_start)
        .take_while(|(start, _)| *start < yaml_end)
        .filter_map(|(start, line)| {
            let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
            line[..indent]
                .contains('\t')
                .then(|| TextRange::new(start, start + indent))
        })
        .collect();
    Split {
        frontmatter: Some(Frontmatter {
            open: TextRange::new(lead, yaml_start),
            close,
            yaml: TextRange::new(yaml_start, yaml_end),
            root,
            error,
            tab_indents,
        }),
        body_start,
        unclosed_open: None,
        bom,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_chant() {
        let text = "\n---\ntype: code\n---\n\n# Title\n";
        let s = split(text);
        let fm = s.frontmatter.unwrap();
        assert_eq!(&text[fm.yaml.start()..fm.yaml.end()], "\ntype: code\n");
        assert_eq!(&text[s.body_start..], "# Title\n");
    }

    #[test]
    fn closing_delimiter_is_the_next_dashes_anywhere() {
        let text = "---\ntitle: a---b\n---\n# T";
        let fm = split(text).frontmatter.unwrap();
        assert_eq!(&text[fm.yaml.start()..fm.yaml.end()], "\ntitle: a");
    }

    #[test]
    fn unclosed_and_missing_frontmatter_are_whole_body() {
        let s = split("---\ntype: code\n# T\n");
        assert!(s.frontmatter.is_none());
        assert!(s.unclosed_open.is_some());
        let s = split("# Just a title\n");
        assert!(s.frontmatter.is_none() && s.unclosed_open.is_none());
        let s = split("\u{feff}---\ntype: code\n---\n");
        assert!(s.bom && s.frontmatter.is_none());
    }

    #[test]
    fn tab_indentation_is_found() {
        let text = "---\nlabels:\n\t- a\n---\n";
        let fm = split(text).frontmatter.unwrap();
        assert_eq!(fm.tab_indents, vec![TextRange::new(12, 13)]);
    }
}
