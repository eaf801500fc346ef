//! Project configuration: chant's lint knobs from `.chant/config.md` (chant-format §5.2)
//! and chant-lsp's own `.chant/lsp.yaml` (phase table overrides, disabled codes).

use crate::syntax::yaml::{self, YamlNode};
use crate::syntax::{self, TextRange};

use super::phases::PhaseTable;

#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    pub complexity_criteria: usize,
    pub complexity_files: usize,
    pub complexity_words: usize,
    pub simple_criteria: usize,
    pub simple_files: usize,
    pub simple_words: usize,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            complexity_criteria: 10,
            complexity_files: 5,
            complexity_words: 150,
            simple_criteria: 1,
            simple_files: 1,
            simple_words: 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub thresholds: Thresholds,
    /// chant's `lint.disable` honours one name only, `complexity_words`, and disables it
    /// by default.
    pub words_disabled: bool,
    /// `enterprise.required`.
    pub required: Vec<String>,
    pub main_branch: String,
    /// Codes switched off in `.chant/lsp.yaml` (`disable: [code, ...]`).
    pub disabled_codes: Vec<String>,
    pub phases: PhaseTable,
    /// Problems in config.md (`config`) and lsp.yaml (`lsp`), reported on those files.
    pub config_problems: Vec<ConfigProblem>,
    pub lsp_problems: Vec<ConfigProblem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigProblem {
    pub range: TextRange,
    pub message: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            thresholds: Thresholds::default(),
            words_disabled: true,
            required: Vec::new(),
            main_branch: "main".into(),
            disabled_codes: Vec::new(),
            phases: PhaseTable::default(),
            config_problems: Vec::new(),
            lsp_problems: Vec::new(),
        }
    }
}

impl Config {
    /// `config_md` and `lsp_yaml` are the files' texts, when they exist.
    pub fn load(config_md: Option<&str>, lsp_yaml: Option<&str>) -> Config {
        let mut config = Config::default();
        if let Some(text) = config_md {
            let split = syntax::frontmatter::split(text);
            if let Some(fm) = &split.frontmatter {
                if let Some(err) = &fm.error {
                    config.config_problems.push(ConfigProblem {
                        range: err.range,
                        message: err.message.clone(),
                    });
                }
                if let Some(root) = &fm.root {
                    config.read_chant(root);
                }
            }
        }
        if let Some(text) = lsp_yaml {
            let (root, err) = yaml::parse(text, 0);
            if let Some(err) = err {
                config.lsp_problems.push(ConfigProblem {
                    range: err.range,
                    message: err.message,
                });
            }
            if let Some(root) = root {
                config.read_lsp(&root);
            }
        }
        config
    }

    fn read_chant(&mut self, root: &YamlNode) {
        let path = |keys: &[&str]| -> Option<&YamlNode> {
            let mut node = root;
            for k in keys {
                node = &node.get(k)?.value;
            }
            Some(node)
        };
        let t = &mut self.thresholds;
        for (key, slot) in [
            ("complexity_criteria", &mut t.complexity_criteria),
            ("complexity_files", &mut t.complexity_files),
            ("complexity_words", &mut t.complexity_words),
            ("simple_criteria", &mut t.simple_criteria),
            ("simple_files", &mut t.simple_files),
            ("simple_words", &mut t.simple_words),
        ] {
            if let Some(n) =
                path(&["lint", "thresholds", key]).and_then(|n| n.as_scalar()?.parse().ok())
            {
                *slot = n;
            }
        }
        if let Some(disable) = path(&["lint", "disable"]) {
            self.words_disabled = disable
                .items()
                .iter()
                .any(|n| n.as_scalar() == Some("complexity_words"));
        }
        if let Some(req) = path(&["enterprise", "required"]) {
            self.required = req
                .items()
                .iter()
                .filter_map(|n| n.as_scalar().map(str::to_string))
                .collect();
        }
        if let Some(b) = path(&["defaults", "main_branch"]).and_then(|n| n.as_scalar()) {
            self.main_branch = b.to_string();
        }
    }

    fn read_lsp(&mut self, root: &YamlNode) {
        for e in root.entries() {
            match e.key.as_scalar().unwrap_or("") {
                "disable" => {
                    self.disabled_codes = e
                        .value
                        .items()
                        .iter()
                        .filter_map(|n| n.as_scalar().map(str::to_string))
                        .collect();
                    for item in e.value.items() {
                        let code = item.as_scalar().unwrap_or("");
                        if crate::diagnostics::catalogue::lookup(code).is_none() {
                            self.lsp_problems.push(ConfigProblem {
                                range: item.range,
                                message: format!(
                                    "unknown diagnostic code `{code}` (see docs/diagnostics.md)"
                                ),
                            });
                        }
                    }
                }
                "phases" => {
                    for err in self.phases.merge(&e.value) {
                        self.lsp_problems.push(ConfigProblem {
                            range: err.range,
                            message: err.message,
                        });
                    }
                }
                other => self.lsp_problems.push(ConfigProblem {
                    range: e.key.range,
                    message: format!("unknown setting `{other}` (known: disable, phases)"),
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lint_knobs() {
        let c = Config::load(
            Some("---\nlint:\n  thresholds:\n    complexity_files: 8\n  disable: []\nenterprise:\n  required: [labels]\n---\n# Config\n"),
            None,
        );
        assert_eq!(c.thresholds.complexity_files, 8);
        assert_eq!(c.thresholds.complexity_criteria, 10);
        assert!(!c.words_disabled);
        assert_eq!(c.required, vec!["labels"]);
        assert!(Config::load(Some("---\nproject: {}\n---\n"), None).words_disabled);
    }

    #[test]
    fn lsp_yaml_disables_and_overrides() {
        let c = Config::load(
            None,
            Some("disable: [id-in-body, nope]\nphases:\n  - name: fix\n    labels: [bugfix]\n"),
        );
        assert_eq!(c.disabled_codes, vec!["id-in-body", "nope"]);
        assert_eq!(c.lsp_problems.len(), 1);
        assert_eq!(c.phases.get("fix").unwrap().labels, vec!["bugfix"]);
    }
}
