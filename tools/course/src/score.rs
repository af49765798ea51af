//! A stage's score: each test's result, whether it counts, and the totals by protocol rule.

use crate::suite::Outcome;

/// What was graded.
#[derive(Debug)]
pub enum Subject {
    /// A whole workspace (the kit, or a student's starter), its own programs.
    Workspace(String),
    /// Command lines in place of the stage's own programs.
    Commands {
        server: Option<String>,
        client: Option<String>,
    },
}

/// One test, graded.
#[derive(Debug)]
pub struct Graded {
    pub outcome: Outcome,
    pub rules: Vec<String>,
    /// Why it does not count, if it does not.
    pub not_counted: Option<String>,
    /// What it exercises: `server`, `both`, `kit only` (the kit's own programs or the harness),
    /// `unit` (a unit test in `src/`) or `unknown` (not in the table).
    pub exercises: &'static str,
}

/// A stage's whole grade.
#[derive(Debug)]
pub struct Score {
    /// `lab03`.
    pub package: String,
    pub subject: Subject,
    pub tests: Vec<Graded>,
    /// Why the suite could not be built, if it could not.
    pub not_built: Option<String>,
    pub seconds: f64,
    /// When it was graded: `2026-12-01 11:40 UTC`.
    pub when: String,
}

/// One rule's line of the score.
#[derive(Debug, PartialEq)]
pub struct RuleScore {
    pub rule: String,
    pub passed: usize,
    pub counted: usize,
}

impl Score {
    pub fn counted(&self) -> impl Iterator<Item = &Graded> {
        self.tests.iter().filter(|t| t.not_counted.is_none())
    }

    pub fn passed(&self) -> usize {
        self.counted().filter(|t| t.outcome.passed).count()
    }

    pub fn total(&self) -> usize {
        self.counted().count()
    }

    /// The score as a percentage, rounded down; 0 when nothing counted.
    pub fn percent(&self) -> usize {
        (self.passed() * 100).checked_div(self.total()).unwrap_or(0)
    }

    /// Each rule's tests passed of counted, in the order the rules are numbered. A test that
    /// checks several rules counts under each.
    pub fn by_rule(&self) -> Vec<RuleScore> {
        let mut rules: Vec<RuleScore> = Vec::new();
        for graded in self.counted() {
            for rule in &graded.rules {
                let at = match rules.iter().position(|r| &r.rule == rule) {
                    Some(at) => at,
                    None => {
                        rules.push(RuleScore {
                            rule: rule.clone(),
                            passed: 0,
                            counted: 0,
                        });
                        rules.len() - 1
                    }
                };
                rules[at].counted += 1;
                rules[at].passed += usize::from(graded.outcome.passed);
            }
        }
        rules.sort_by_key(|r| rule_order(&r.rule));
        rules
    }
}

/// Numbered rules first, by number, then the others by name.
fn rule_order(rule: &str) -> (usize, String) {
    let number = rule
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    (number, rule.to_string())
}
