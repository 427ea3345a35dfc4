//! Where a value in an operator's file came from, and how nvctl reads HCL expressions:
//! literal values only, never evaluated or guessed.
//!
//! Shared by every reader of an operator's file: `nomad::agent_config` (Nomad agent files are
//! HCL1, where `${…}` is plain text), `nomad::jobspec` (HCL2 jobs, where `${…}` is an
//! interpolation nvctl cannot check) and `bootstrap::config` (nvctl's own HCL). All parse with
//! `hcl::edit` (re-exported by hcl-rs) rather than `hcl::parse` because only the former keeps
//! byte spans, and every message should point at `file:line`: one position type
//! ([`SourceLocation`]), one value-with-position ([`Located`]), one [`LineIndex`].

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use hcl::edit::expr::Expression;
use hcl::edit::template::{Element, Template};
use hcl::edit::Span;

use crate::checks::Finding;
pub use crate::checks::{Severity, Source};

/// A place in an operator's file: the file, and the 1-based line when it is known
/// (JSON files only give lines for keys that occur once).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourceLocation {
    pub file: PathBuf,
    pub line: Option<usize>,
}

impl SourceLocation {
    pub fn new(file: impl Into<PathBuf>, line: Option<usize>) -> Self {
        Self {
            file: file.into(),
            line,
        }
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file.display()),
            None => write!(f, "{}", self.file.display()),
        }
    }
}

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub at: SourceLocation,
}

/// Something wrong (or uncheckable) in an agent config or jobspec, found without Vault.
/// Unlike a [`Finding`] it knows its `file:line`; `source` says whose words `message` is
/// (`Source::Nomad`: verbatim Nomad text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub source: Source,
    pub message: String,
    pub at: Option<SourceLocation>,
}

impl Problem {
    pub(crate) fn new(
        severity: Severity,
        source: Source,
        message: impl Into<String>,
        at: Option<SourceLocation>,
    ) -> Self {
        Self {
            severity,
            source,
            message: message.into(),
            at,
        }
    }

    /// The finding for this problem under `check` (see `checks::check`), its subject being
    /// the `file:line` it points at.
    pub fn into_finding(self, check: &str) -> Finding {
        let subject = self.at.map(|at| at.to_string()).unwrap_or_default();
        Finding::new(self.severity, self.source, check, subject, self.message)
    }
}

/// A field's value as far as nvctl can know it without evaluating anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checkable<T> {
    /// Written as a literal: this is what Nomad will see.
    Literal(T),
    /// Depends on a variable, function call or interpolation; `expression` is the source text.
    NotCheckable { expression: String },
}

impl<T> Checkable<T> {
    pub fn literal(&self) -> Option<&T> {
        match self {
            Checkable::Literal(value) => Some(value),
            Checkable::NotCheckable { .. } => None,
        }
    }

    pub fn is_checkable(&self) -> bool {
        matches!(self, Checkable::Literal(_))
    }
}

/// Maps byte offsets in a file to 1-based line numbers.
pub(crate) struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(src: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        Self { line_starts }
    }

    pub(crate) fn line(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    pub(crate) fn line_of(&self, span: Option<Range<usize>>) -> Option<usize> {
        span.map(|s| self.line(s.start))
    }
}

/// A literal HCL value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Null,
    Bool(bool),
    /// Kept as written: nvctl never needs arithmetic, and HCL1 decodes numbers into strings.
    Number(String),
    String(String),
    Array(Vec<Literal>),
    Object(Vec<(String, Literal)>),
}

impl Literal {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Literal::Null => "null",
            Literal::Bool(_) => "a bool",
            Literal::Number(_) => "a number",
            Literal::String(_) => "a string",
            Literal::Array(_) => "a list",
            Literal::Object(_) => "an object",
        }
    }
}

/// What a `${…}` or `%{…}` sequence in a string means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interpolations {
    /// HCL1 (agent configs): plain text, kept verbatim.
    Verbatim,
    /// HCL2 (jobspecs): an expression nvctl does not evaluate.
    NotCheckable,
}

/// The source text of a spanned item, for "not checkable" messages.
pub(crate) fn source_text(src: &str, span: Option<Range<usize>>) -> String {
    span.and_then(|s| src.get(s))
        .map(str::to_owned)
        .unwrap_or_else(|| "<expression>".to_owned())
}

/// Evaluates `expr` when it is literal; otherwise returns its source text.
pub(crate) fn literal(
    expr: &Expression,
    src: &str,
    interpolations: Interpolations,
) -> Result<Literal, String> {
    let not_literal = || source_text(src, expr.span());
    match expr {
        Expression::Null(_) => Ok(Literal::Null),
        Expression::Bool(b) => Ok(Literal::Bool(*b.value())),
        Expression::Number(n) => Ok(Literal::Number(n.value().to_string())),
        Expression::String(s) => Ok(Literal::String(s.value().clone())),
        Expression::Array(array) => array
            .iter()
            .map(|item| literal(item, src, interpolations))
            .collect::<Result<Vec<_>, _>>()
            .map(Literal::Array)
            // One non-literal element makes the whole field uncheckable: report the field.
            .map_err(|_| not_literal()),
        Expression::Object(object) => {
            let mut entries = Vec::new();
            for (key, value) in object.iter() {
                let key = match key {
                    hcl::edit::expr::ObjectKey::Ident(ident) => ident.value().as_str().to_owned(),
                    hcl::edit::expr::ObjectKey::Expression(key_expr) => {
                        match literal(key_expr, src, interpolations) {
                            Ok(Literal::String(s)) => s,
                            _ => return Err(not_literal()),
                        }
                    }
                };
                let value =
                    literal(value.expr(), src, interpolations).map_err(|_| not_literal())?;
                entries.push((key, value));
            }
            Ok(Literal::Object(entries))
        }
        Expression::StringTemplate(template) => {
            template_literal(template, src, interpolations).ok_or_else(not_literal)
        }
        Expression::HeredocTemplate(heredoc) => {
            template_literal(&heredoc.template, src, interpolations).ok_or_else(not_literal)
        }
        Expression::Parenthesis(inner) => literal(inner.inner(), src, interpolations),
        _ => Err(not_literal()),
    }
}

fn template_literal(
    template: &Template,
    src: &str,
    interpolations: Interpolations,
) -> Option<Literal> {
    let rendered = render_verbatim(template, src);
    if rendered.interpolations.is_empty() || interpolations == Interpolations::Verbatim {
        Some(Literal::String(rendered.text))
    } else {
        None
    }
}

/// A template's text with every interpolation and directive copied verbatim from the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RenderedTemplate {
    pub(crate) text: String,
    /// Byte ranges in `text` holding `${…}`/`%{…}` source text.
    pub(crate) interpolations: Vec<Range<usize>>,
}

pub(crate) fn render_verbatim(template: &Template, src: &str) -> RenderedTemplate {
    let mut text = String::new();
    let mut interpolations = Vec::new();
    for element in template.iter() {
        match element {
            Element::Literal(literal) => text.push_str(literal.value()),
            Element::Interpolation(_) | Element::Directive(_) => {
                let start = text.len();
                text.push_str(&source_text(src, element.span()));
                interpolations.push(start..text.len());
            }
        }
    }
    RenderedTemplate {
        text,
        interpolations,
    }
}

/// Levenshtein distance, for "did you mean" suggestions on misspelt keys.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The known key closest to `key`, when it is close enough to be a plausible typo. Uses
/// HCL's own rule for "Did you mean" (edit distance under 3), so nvctl suggests what
/// Nomad's HCL2 parser would.
pub(crate) fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d < 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr_value(src: &str) -> Expression {
        let body: hcl::edit::structure::Body = src.parse().unwrap();
        let value = body
            .iter()
            .next()
            .and_then(|s| s.as_attribute())
            .map(|a| a.value.clone())
            .unwrap();
        value
    }

    #[test]
    fn hcl2_interpolation_is_not_checkable_but_escaped_dollar_is_literal() {
        let src = r#"a = "x-${var.y}""#;
        let err = literal(&attr_value(src), src, Interpolations::NotCheckable).unwrap_err();
        assert_eq!(err, r#""x-${var.y}""#);

        let src = r#"a = "x-$${NOMAD_TASK_DIR}""#;
        let value = literal(&attr_value(src), src, Interpolations::NotCheckable).unwrap();
        assert_eq!(value, Literal::String("x-${NOMAD_TASK_DIR}".into()));
    }

    #[test]
    fn hcl1_interpolation_is_kept_verbatim() {
        let src = r#"a = "${VAULT_ADDR}/v1""#;
        let value = literal(&attr_value(src), src, Interpolations::Verbatim).unwrap();
        assert_eq!(value, Literal::String("${VAULT_ADDR}/v1".into()));
    }

    #[test]
    fn list_with_one_variable_is_not_checkable_as_a_whole() {
        let src = r#"a = ["x", var.p]"#;
        let err = literal(&attr_value(src), src, Interpolations::NotCheckable).unwrap_err();
        assert_eq!(err, r#"["x", var.p]"#);
    }

    #[test]
    fn line_index_counts_from_one() {
        let index = LineIndex::new("a\nbc\n\nd");
        assert_eq!(index.line(0), 1);
        assert_eq!(index.line(2), 2);
        assert_eq!(index.line(3), 2);
        assert_eq!(index.line(5), 3);
        assert_eq!(index.line(6), 4);
    }

    #[test]
    fn closest_suggests_the_typo_fix_and_nothing_for_unrelated_words() {
        let known = ["create_from_role", "address", "token"];
        assert_eq!(
            closest("create_from_roles", &known),
            Some("create_from_role")
        );
        assert_eq!(closest("adress", &known), Some("address"));
        assert_eq!(closest("polices", &["policies", "role"]), Some("policies"));
        assert_eq!(closest("policy", &["policies", "role"]), None);
        assert_eq!(closest("banana", &known), None);
    }
}
