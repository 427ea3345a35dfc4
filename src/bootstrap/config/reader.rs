//! Reading the configuration file: HCL syntax, the blocks and keys nvctl knows (with "did you
//! mean" for the others), labels, duplicates, literal values and their types — each problem
//! with its `file:line`. Nothing here knows flags or defaults: that is resolving
//! (`super::resolve`), which gets the [`RawBlock`] of the file and reads each block's values
//! with the type it needs ([`RawBlock::string`], [`RawBlock::duration`], …).
//!
//! The file is read against a [`Schema`] tree: the file's own (top-level keys and blocks),
//! each block's keys and nested blocks. Paths are made relative to the file's directory here
//! (the file describes a layout), so every later stage sees usable paths.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hcl::edit::structure::{Body, Structure};
use hcl::edit::Span;

use super::problems::Problems;
use crate::source::{
    closest, literal, Interpolations, LineIndex, Literal, Located, SourceLocation,
};

/// What a block (or the file itself) may hold.
#[derive(Debug)]
pub struct Schema {
    pub name: &'static str,
    pub label: Label,
    pub keys: &'static [&'static str],
    pub blocks: &'static [&'static Schema],
}

/// Whether a block takes a label.
#[derive(Debug)]
pub enum Label {
    None,
    /// Exactly one: `what` names it in messages, `example` shows the block with one.
    One {
        what: &'static str,
        example: &'static str,
    },
}

impl Schema {
    /// A block without a label and without nested blocks: `init { … }`.
    pub const fn block(name: &'static str, keys: &'static [&'static str]) -> Schema {
        Schema {
            name,
            label: Label::None,
            keys,
            blocks: &[],
        }
    }

    fn key_list(&self) -> String {
        self.keys.join(", ")
    }

    fn block_names(&self) -> Vec<&'static str> {
        self.blocks.iter().map(|b| b.name).collect()
    }

    fn is_file(&self) -> bool {
        self.name.is_empty()
    }
}

/// One block as written (or the whole file): its label, literal values and nested blocks,
/// each with where it is.
#[derive(Debug, Clone)]
pub struct RawBlock {
    pub name: &'static str,
    pub label: Option<String>,
    pub at: SourceLocation,
    values: BTreeMap<String, Located<Literal>>,
    blocks: Vec<RawBlock>,
    /// Relative paths are relative to this directory (the file's).
    dir: PathBuf,
}

impl RawBlock {
    /// No file: nothing set.
    pub fn empty() -> RawBlock {
        RawBlock {
            name: "",
            label: None,
            at: SourceLocation::new("", None),
            values: BTreeMap::new(),
            blocks: Vec::new(),
            dir: PathBuf::new(),
        }
    }

    /// The unlabelled nested block `name`, when written (the reader refuses a second one).
    pub fn block(&self, name: &str) -> Option<&RawBlock> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// Every nested block `name`, in the file's order.
    pub fn blocks<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a RawBlock> + 'a {
        self.blocks.iter().filter(move |b| b.name == name)
    }

    /// Whether `key` is written (whatever its type).
    pub fn has(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    /// The block's label as written (the reader made sure a labelled block has one).
    pub fn label(&self) -> String {
        self.label.clone().unwrap_or_default()
    }

    fn typed<T>(
        &self,
        key: &str,
        expected: &str,
        problems: &mut Problems,
        convert: impl FnOnce(&Literal) -> Option<T>,
    ) -> Option<Located<T>> {
        let found = self.values.get(key)?;
        match convert(&found.value) {
            Some(value) => Some(Located {
                value,
                at: found.at.clone(),
            }),
            None => {
                problems.at(
                    &found.at,
                    format!(
                        "{}: expected {expected}, got {}",
                        qualified(self.name, key),
                        type_name(&found.value)
                    ),
                );
                None
            }
        }
    }

    pub fn string(&self, key: &str, problems: &mut Problems) -> Option<Located<String>> {
        self.typed(key, "a string", problems, |v| match v {
            Literal::String(s) => Some(s.clone()),
            _ => None,
        })
    }

    pub fn bool(&self, key: &str, problems: &mut Problems) -> Option<Located<bool>> {
        self.typed(key, "true or false", problems, |v| match v {
            Literal::Bool(b) => Some(*b),
            _ => None,
        })
    }

    /// A path, relative to the file's directory when relative.
    pub fn path(&self, key: &str, problems: &mut Problems) -> Option<Located<PathBuf>> {
        self.string(key, problems).map(|l| Located {
            value: self.dir.join(l.value),
            at: l.at,
        })
    }

    /// A list of paths (a single string is one path), each relative to the file's directory
    /// when relative.
    pub fn paths(
        &self,
        key: &str,
        what: &str,
        problems: &mut Problems,
    ) -> Option<Located<Vec<PathBuf>>> {
        self.typed(key, what, problems, |v| match v {
            Literal::String(s) => Some(vec![self.dir.join(s)]),
            Literal::Array(items) => items
                .iter()
                .map(|i| match i {
                    Literal::String(s) => Some(self.dir.join(s)),
                    _ => None,
                })
                .collect(),
            _ => None,
        })
    }

    /// A string such as "72h", or a number of seconds (kept as written; the resolver parses
    /// it with the syntax the setting's reader — Vault or Nomad — accepts).
    pub fn duration(&self, key: &str, problems: &mut Problems) -> Option<Located<String>> {
        self.typed(key, "a duration such as \"72h\"", problems, |v| match v {
            Literal::String(s) | Literal::Number(s) => Some(s.clone()),
            _ => None,
        })
    }

    pub fn whole_number(&self, key: &str, problems: &mut Problems) -> Option<Located<i64>> {
        self.typed(key, "a whole number", problems, |v| match v {
            Literal::Number(n) => n.parse().ok(),
            _ => None,
        })
    }

    /// A list of strings; a single string is accepted as a comma-list, as Vault does.
    pub fn list(
        &self,
        key: &str,
        what: &str,
        problems: &mut Problems,
    ) -> Option<Located<Vec<String>>> {
        self.typed(key, what, problems, |v| match v {
            Literal::String(s) => Some(
                s.split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect(),
            ),
            Literal::Array(items) => items
                .iter()
                .map(|i| match i {
                    Literal::String(s) => Some(s.trim().to_string()),
                    _ => None,
                })
                .collect(),
            _ => None,
        })
    }
}

fn type_name(v: &Literal) -> &'static str {
    match v {
        Literal::Bool(_) => "a boolean",
        other => other.kind(),
    }
}

/// Reads `text` (the file at `path`) against `schema`. A syntax error stops here (nothing
/// else can be trusted); every other problem is collected and reading goes on.
pub fn read(path: &Path, text: &str, schema: &Schema, problems: &mut Problems) -> RawBlock {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut file = RawBlock {
        at: SourceLocation::new(path, None),
        dir,
        ..RawBlock::empty()
    };
    let body = match hcl::edit::parser::parse_body(text) {
        Ok(body) => body,
        Err(e) => {
            problems.at(
                &SourceLocation::new(path, Some(e.location().line())),
                format!(
                    "HCL syntax: {} (column {})",
                    e.message(),
                    e.location().column()
                ),
            );
            return file;
        }
    };
    let reader = Reader {
        path,
        text,
        lines: LineIndex::new(text),
    };
    reader.body(&body, schema, &mut file, problems);
    file
}

struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
    lines: LineIndex,
}

impl Reader<'_> {
    fn at(&self, span: Option<std::ops::Range<usize>>) -> SourceLocation {
        SourceLocation::new(self.path, self.lines.line_of(span))
    }

    /// The attributes and nested blocks of `body`, read into `into` against `schema`.
    fn body(&self, body: &Body, schema: &Schema, into: &mut RawBlock, problems: &mut Problems) {
        let mut seen: BTreeMap<String, Option<usize>> = BTreeMap::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let at = self.at(attr.span());
                    let key = attr.key.as_str();
                    if !schema.keys.contains(&key) {
                        problems.at(&at, unknown_key(schema, key));
                        continue;
                    }
                    if into.values.contains_key(key) {
                        problems.at(&at, format!("{} is set twice", qualified(schema.name, key)));
                        continue;
                    }
                    match literal(&attr.value, self.text, Interpolations::NotCheckable) {
                        Ok(value) => {
                            into.values.insert(key.to_string(), Located { value, at });
                        }
                        Err(expression) => problems.at(
                            &at,
                            format!(
                                "{}: expected a literal value ({expression} is an expression, which nvctl does not evaluate)",
                                qualified(schema.name, key)
                            ),
                        ),
                    }
                }
                Structure::Block(block) => {
                    let at = self.at(block.span());
                    let ident = block.ident.as_str();
                    let Some(inner) = schema.blocks.iter().find(|b| b.name == ident) else {
                        problems.at(&at, unknown_block(schema, ident));
                        continue;
                    };
                    let labels: Vec<String> = block
                        .labels
                        .iter()
                        .map(|l| l.as_str().to_string())
                        .collect();
                    match (&inner.label, labels.len()) {
                        (Label::None, 0) | (Label::One { .. }, 1) => {}
                        (Label::None, _) => {
                            problems.at(&at, format!("the {ident} block takes no label"));
                            continue;
                        }
                        (Label::One { what, example }, _) => {
                            problems.at(
                                &at,
                                format!("a {ident} block needs exactly one label, the {what}: {example}"),
                            );
                            continue;
                        }
                    }
                    let seen_key = match labels.first() {
                        Some(label) => format!("{ident} {label:?}"),
                        None => ident.to_string(),
                    };
                    if let Some(first) = seen.get(&seen_key) {
                        problems.at(
                            &at,
                            format!(
                                "duplicate {seen_key} block{}",
                                first
                                    .map(|l| format!(" (first at line {l})"))
                                    .unwrap_or_default()
                            ),
                        );
                        continue;
                    }
                    seen.insert(seen_key, at.line);
                    let mut raw = RawBlock {
                        name: inner.name,
                        label: labels.into_iter().next(),
                        at,
                        values: BTreeMap::new(),
                        blocks: Vec::new(),
                        dir: into.dir.clone(),
                    };
                    self.body(&block.body, inner, &mut raw, problems);
                    into.blocks.push(raw);
                }
            }
        }
    }
}

/// `block.key`, or `key` at the top of the file.
fn qualified(block: &str, key: &str) -> String {
    if block.is_empty() {
        key.to_string()
    } else {
        format!("{block}.{key}")
    }
}

/// A key `schema` does not have: the closest one, or where it belongs.
fn unknown_key(schema: &Schema, key: &str) -> String {
    if schema.is_file() {
        if let Some(block) = schema.blocks.iter().find(|b| b.keys.contains(&key)) {
            return format!(
                "{key:?} belongs in the {0} block: {0} {{ {key} = … }}",
                block.name
            );
        }
        let mut message = format!("unknown top-level setting {key:?}");
        match closest(key, schema.keys) {
            Some(s) => message.push_str(&format!("; did you mean {s:?}?")),
            None => message.push_str(&format!(
                ": settings go in blocks ({})",
                schema.block_names().join(", ")
            )),
        }
        return message;
    }
    let mut message = format!("unknown key {key:?} in the {} block", schema.name);
    match closest(key, schema.keys) {
        Some(s) => message.push_str(&format!("; did you mean {s:?}?")),
        None => message.push_str(&format!("; valid keys: {}", schema.key_list())),
    }
    message
}

/// A block `schema` does not have.
fn unknown_block(schema: &Schema, ident: &str) -> String {
    let names = schema.block_names();
    if names.is_empty() {
        return format!(
            "unexpected block {ident:?} inside {}: it takes only {}",
            schema.name,
            schema.key_list()
        );
    }
    let mut message = format!("unknown block {ident:?}");
    if !schema.is_file() {
        message.push_str(&format!(" in the {} block", schema.name));
    }
    match closest(ident, &names) {
        Some(s) => message.push_str(&format!("; did you mean {s:?}?")),
        None => message.push_str(&format!("; known blocks: {}", names.join(", "))),
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: Schema = Schema {
        name: "role",
        label: Label::One {
            what: "role name",
            example: "role \"accessdb\" { … }",
        },
        keys: &["default_ttl"],
        blocks: &[],
    };
    const DATABASE: Schema = Schema {
        name: "database",
        label: Label::One {
            what: "connection name",
            example: "database \"postgresql\" { … }",
        },
        keys: &["connection_url", "verify_connection"],
        blocks: &[&ROLE],
    };
    const FILE: Schema = Schema {
        name: "",
        label: Label::None,
        keys: &["jobs"],
        blocks: &[&DATABASE],
    };

    fn read_text(text: &str) -> (RawBlock, Vec<String>) {
        let mut problems = Problems::default();
        let file = read(Path::new("dir/b.hcl"), text, &FILE, &mut problems);
        let errors = problems
            .into_errors()
            .errors
            .iter()
            .map(|e| e.to_string())
            .collect();
        (file, errors)
    }

    #[test]
    fn nested_labelled_blocks_and_top_level_keys_are_read_with_their_lines() {
        let (file, errors) = read_text(
            "jobs = [\"web.nomad.hcl\"]\ndatabase \"pg\" {\n  verify_connection = false\n  role \"accessdb\" {\n    default_ttl = \"1h\"\n  }\n}\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let mut p = Problems::default();
        let jobs = file.list("jobs", "a list of files", &mut p).unwrap();
        assert_eq!(
            (jobs.value, jobs.at.line),
            (vec!["web.nomad.hcl".to_string()], Some(1))
        );
        let db = file.blocks("database").next().unwrap();
        assert_eq!((db.label(), db.at.line), ("pg".to_string(), Some(2)));
        assert!(!db.bool("verify_connection", &mut p).unwrap().value);
        let role = db.blocks("role").next().unwrap();
        assert_eq!(role.label(), "accessdb");
        let ttl = role.duration("default_ttl", &mut p).unwrap();
        assert_eq!((ttl.value.as_str(), ttl.at.line), ("1h", Some(5)));
        assert!(p.is_empty());
    }

    #[test]
    fn paths_are_relative_to_the_files_directory() {
        let (file, _) = read_text("jobs = \"x\"\n");
        let mut p = Problems::default();
        let path = file.path("jobs", &mut p).unwrap();
        assert_eq!(path.value, Path::new("dir/x"));
    }

    #[test]
    fn schema_problems_name_the_place_and_the_fix() {
        let (_, errors) = read_text(
            "job = 1\ndatabases \"x\" {}\ndatabase {}\ndatabase \"a\" {\n  connection_ur = \"u\"\n  role \"r\" {\n    max_ttl = 1\n    x {}\n  }\n  rol \"q\" {}\n}\ndatabase \"a\" {}\n",
        );
        assert_eq!(
            errors,
            [
                "dir/b.hcl:1: unknown top-level setting \"job\"; did you mean \"jobs\"?",
                "dir/b.hcl:2: unknown block \"databases\"; did you mean \"database\"?",
                "dir/b.hcl:3: a database block needs exactly one label, the connection name: database \"postgresql\" { … }",
                "dir/b.hcl:5: unknown key \"connection_ur\" in the database block; did you mean \"connection_url\"?",
                "dir/b.hcl:7: unknown key \"max_ttl\" in the role block; valid keys: default_ttl",
                "dir/b.hcl:8: unexpected block \"x\" inside role: it takes only default_ttl",
                "dir/b.hcl:10: unknown block \"rol\" in the database block; did you mean \"role\"?",
                "dir/b.hcl:12: duplicate database \"a\" block (first at line 4)",
            ]
        );
    }

    #[test]
    fn types_and_expressions_are_checked_where_they_are_read() {
        let (file, errors) = read_text(
            "jobs = var.jobs\ndatabase \"a\" {\n  verify_connection = \"yes\"\n  connection_url = 5\n}\n",
        );
        assert_eq!(
            errors,
            ["dir/b.hcl:1: jobs: expected a literal value (var.jobs is an expression, which nvctl does not evaluate)"]
        );
        let mut p = Problems::default();
        let db = file.blocks("database").next().unwrap();
        assert!(db.bool("verify_connection", &mut p).is_none());
        assert!(db.string("connection_url", &mut p).is_none());
        let errors: Vec<String> = p
            .into_errors()
            .errors
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            errors,
            [
                "dir/b.hcl:3: database.verify_connection: expected true or false, got a string",
                "dir/b.hcl:4: database.connection_url: expected a string, got a number",
            ]
        );
    }
}
