//! Reads HCL2 jobspecs the way `nomad job run` sees their Vault use: per task, the effective
//! `vault` block (nearest of job, group, task level wins, no field merge — nomad-rules.md §3)
//! and every `template`, with the Vault paths their Consul Template text reads.
//!
//! Pure: no network, no evaluation. Only literal values are taken; anything built from a
//! variable, function or interpolation is `Checkable::NotCheckable`, never guessed.

pub mod consul_template;

use std::fmt;
use std::path::{Path, PathBuf};

use hcl::edit::expr::Expression;
use hcl::edit::structure::{Attribute, Block, Body};
use hcl::edit::Span;

pub use crate::source::{Checkable, Located, Problem, Severity, Source, SourceLocation};
pub use consul_template::{secret_refs, KeyUse, SecretFunction, SecretRef};

use crate::nomad::gofmt::go_quote;
use crate::source::{self, literal, render_verbatim, Interpolations, LineIndex, Literal};

/// Why a jobspec could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum JobspecError {
    /// The OS error is part of the message and not a `source`: shown with its causes
    /// (`{:#}`), it would otherwise be printed twice.
    #[error("{}: {cause}", path.display())]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// Carries hcl-rs's message and position, never the offending source line (it could hold
    /// a secret).
    #[error("{location}: {message}")]
    Parse {
        location: SourceLocation,
        message: String,
    },
    #[error("{}: no job block found", path.display())]
    NoJob { path: PathBuf },
}

/// One jobspec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jobspec {
    pub file: PathBuf,
    pub jobs: Vec<Job>,
    /// Structural problems found while reading (unknown `vault` keys, duplicate blocks …).
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub name: String,
    pub at: SourceLocation,
    /// The job's `namespace` attribute, when written (Nomad's default is `default`).
    pub namespace: Option<Setting<String>>,
    /// Every task of every group, in file order.
    pub tasks: Vec<Task>,
}

impl Job {
    /// The namespace the job runs in: its `namespace` attribute, else Nomad's `default`
    /// (what a task identity's `nomad_namespace` claim carries).
    pub fn namespace(&self) -> Checkable<String> {
        setting_or(&self.namespace, "default".to_owned())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub group: String,
    pub name: String,
    pub at: SourceLocation,
    /// The effective vault block: the task's own, else its group's, else the job's.
    pub vault: Option<TaskVault>,
    pub templates: Vec<TaskTemplate>,
}

/// The level a task's effective `vault` block was written at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VaultLevel {
    Job,
    Group,
    Task,
}

impl fmt::Display for VaultLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VaultLevel::Job => "job",
            VaultLevel::Group => "group",
            VaultLevel::Task => "task",
        })
    }
}

/// A jobspec field: its value as far as it can be known, and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: Checkable<T>,
    pub at: SourceLocation,
}

/// A jobspec `vault` block as it applies to one task. `None` fields were not written; the
/// accessor methods apply Nomad's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskVault {
    pub level: VaultLevel,
    pub at: SourceLocation,
    pub policies: Option<Setting<Vec<String>>>,
    pub role: Option<Setting<String>>,
    pub namespace: Option<Setting<String>>,
    pub cluster: Option<Setting<String>>,
    pub env: Option<Setting<bool>>,
    pub disable_file: Option<Setting<bool>>,
    pub change_mode: Option<Setting<String>>,
    pub change_signal: Option<Setting<String>>,
    pub allow_token_expiration: Option<Setting<bool>>,
}

/// Keys Nomad accepts in a jobspec `vault` block.
pub const JOB_VAULT_KEYS: &[&str] = &[
    "policies",
    "role",
    "namespace",
    "cluster",
    "env",
    "disable_file",
    "change_mode",
    "change_signal",
    "allow_token_expiration",
];

impl TaskVault {
    /// `cluster`, defaulting to `default`.
    pub fn cluster(&self) -> Checkable<String> {
        setting_or(&self.cluster, "default".to_owned())
    }

    /// `change_mode`, defaulting to `restart`.
    pub fn change_mode(&self) -> Checkable<String> {
        setting_or(&self.change_mode, "restart".to_owned())
    }

    /// `env`, defaulting to true.
    pub fn env(&self) -> Checkable<bool> {
        setting_or(&self.env, true)
    }

    /// `disable_file`, defaulting to false.
    pub fn disable_file(&self) -> Checkable<bool> {
        setting_or(&self.disable_file, false)
    }

    /// `allow_token_expiration`, defaulting to false.
    pub fn allow_token_expiration(&self) -> Checkable<bool> {
        setting_or(&self.allow_token_expiration, false)
    }

    /// The policies, empty when none were written.
    pub fn policies(&self) -> Checkable<Vec<String>> {
        setting_or(&self.policies, Vec::new())
    }
}

fn setting_or<T: Clone>(setting: &Option<Setting<T>>, default: T) -> Checkable<T> {
    setting
        .as_ref()
        .map(|s| s.value.clone())
        .unwrap_or(Checkable::Literal(default))
}

/// A task's `template` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTemplate {
    pub at: SourceLocation,
    pub data: Option<Setting<TemplateData>>,
    /// A template read from a file at run time: nvctl cannot see its secret paths.
    pub source: Option<Setting<String>>,
    pub destination: Option<Setting<String>>,
    pub change_mode: Option<Setting<String>>,
    pub change_signal: Option<Setting<String>>,
    pub left_delimiter: Option<Setting<String>>,
    pub right_delimiter: Option<Setting<String>>,
}

/// A template's inline text. HCL interpolations inside it (`${NOMAD_…}`, `%{ if }`) are
/// kept as written; a secret path that contains one is not checkable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateData {
    pub text: String,
    hcl_interpolations: Vec<std::ops::Range<usize>>,
    /// File line of the text's first line, when text lines map onto file lines.
    first_file_line: Option<usize>,
    /// Heredocs map line for line; quoted strings only their first line.
    maps_line_for_line: bool,
}

impl TemplateData {
    /// A template's text as Nomad stores it (`EmbeddedTmpl` of a registered job): no file
    /// lines, and every `${…}` left in it (runtime interpolation such as `${NOMAD_META_x}`)
    /// counted as an interpolation, so a secret path holding one is not checkable.
    pub fn registered(text: String) -> TemplateData {
        let mut hcl_interpolations = Vec::new();
        let mut from = 0;
        while let Some(start) = text[from..].find("${").map(|i| from + i) {
            let end = text[start..]
                .find('}')
                .map_or(text.len(), |i| start + i + 1);
            hcl_interpolations.push(start..end);
            from = end;
        }
        TemplateData {
            text,
            hcl_interpolations,
            first_file_line: None,
            maps_line_for_line: false,
        }
    }

    fn file_line(&self, line: usize) -> Option<usize> {
        let first = self.first_file_line?;
        if self.maps_line_for_line {
            Some(first + line - 1)
        } else {
            (line == 1).then_some(first)
        }
    }
}

impl TaskTemplate {
    /// An action (`{{ with secret "x" }` …) that is opened and never closed, as the error
    /// consul-template's parser would stop the task with: located at the line it opens on.
    fn unclosed_action(&self, path: &Path) -> Option<JobspecError> {
        let data = self.data.as_ref()?.value.literal()?;
        let delimiter = |setting: &Option<Setting<String>>, default: &'static str| {
            setting
                .as_ref()
                .map(|s| s.value.literal().cloned())
                .unwrap_or_else(|| Some(default.to_string()))
        };
        let left = delimiter(&self.left_delimiter, "{{")?;
        let right = delimiter(&self.right_delimiter, "}}")?;
        let offset = consul_template::unclosed_action(&data.text, &left, &right)?;
        let line_in_text = data.text.get(..offset).unwrap_or("").matches('\n').count() + 1;
        let line = data.file_line(line_in_text).or(self.at.line);
        Some(JobspecError::Parse {
            location: SourceLocation::new(path, line),
            message: format!(
                "template: the action opened with {left} here is not closed with {right} before \
                 the next {left} or the end of the text (consul-template refuses the template)"
            ),
        })
    }

    /// Every `secret`/`secrets` use in the template's inline data, honouring
    /// `left_delimiter`/`right_delimiter`. Empty when the data is absent or not checkable
    /// (see [`check_task`] for the corresponding problem).
    pub fn secret_refs(&self) -> Vec<SecretRef> {
        let Some(Checkable::Literal(data)) = self.data.as_ref().map(|d| &d.value) else {
            return Vec::new();
        };
        let delimiter = |setting: &Option<Setting<String>>, default: &'static str| match setting
            .as_ref()
            .map(|s| &s.value)
        {
            Some(Checkable::Literal(d)) if !d.is_empty() => d.clone(),
            _ => default.to_owned(),
        };
        let left = delimiter(&self.left_delimiter, "{{");
        let right = delimiter(&self.right_delimiter, "}}");
        consul_template::scan(&data.text, &left, &right)
            .into_iter()
            .map(|raw| {
                let interpolated = raw.path_span.as_ref().is_some_and(|span| {
                    data.hcl_interpolations
                        .iter()
                        .any(|i| i.start < span.end && span.start < i.end)
                });
                let path = match (&raw.path, &raw.path_span) {
                    (Checkable::Literal(_), Some(span)) if interpolated => {
                        Checkable::NotCheckable {
                            expression: data.text[span.clone()].to_owned(),
                        }
                    }
                    _ => raw.path,
                };
                SecretRef {
                    function: raw.function,
                    path,
                    line: raw.line,
                    file_line: data.file_line(raw.line),
                    writes: raw.writes,
                    keys: raw
                        .keys
                        .into_iter()
                        .map(|k| KeyUse {
                            file_line: data.file_line(k.line),
                            ..k
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

/// Reads and parses a jobspec file.
pub fn load(path: &Path) -> Result<Jobspec, JobspecError> {
    let src = crate::local_file::read_text(path, crate::local_file::MAX_INPUT_BYTES).map_err(
        |cause| JobspecError::Io {
            path: path.to_owned(),
            cause,
        },
    )?;
    parse(&src, path)
}

/// Parses jobspec text; `path` is only used for locations.
pub fn parse(src: &str, path: &Path) -> Result<Jobspec, JobspecError> {
    if src.trim_start().starts_with('{') {
        return Err(JobspecError::Parse {
            location: SourceLocation::new(path, Some(1)),
            message: not_hcl2(src),
        });
    }
    let body: Body = src.parse().map_err(|err: hcl::edit::parser::Error| {
        let location = err.location();
        JobspecError::Parse {
            location: SourceLocation::new(path, Some(location.line())),
            message: format!("{} (column {})", err.message(), location.column()),
        }
    })?;
    let mut reader = Reader {
        src,
        file: path,
        lines: LineIndex::new(src),
        problems: Vec::new(),
    };
    let jobs: Vec<Job> = blocks(&body, "job").map(|b| reader.job(b)).collect();
    if jobs.is_empty() {
        return Err(JobspecError::NoJob {
            path: path.to_owned(),
        });
    }
    if let [first, second, ..] = jobs.as_slice() {
        return Err(JobspecError::Parse {
            location: second.at.clone(),
            message: format!(
                "a second job block ({:?}): a jobspec file holds one job, and Nomad refuses a \
                 second (the first, {:?}, is at line {}); put each job in a file of its own",
                second.name,
                first.name,
                first.at.line.unwrap_or(1)
            ),
        });
    }
    for template in jobs
        .iter()
        .flat_map(|j| &j.tasks)
        .flat_map(|t| &t.templates)
    {
        if let Some(location) = template.unclosed_action(path) {
            return Err(location);
        }
    }
    Ok(Jobspec {
        file: path.to_owned(),
        jobs,
        problems: reader.problems,
    })
}

/// The message for a JSON job: the HTTP API's format (`{"Job": {…}}`, what `nomad job run
/// -output` and `nomad job inspect` print) or HCL's JSON syntax (`{"job": {…}}`), neither of
/// which nvctl reads.
fn not_hcl2(src: &str) -> String {
    let api = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(src)
        .map(|top| top.contains_key("Job") || top.contains_key("TaskGroups"))
        .unwrap_or(true);
    if api {
        "a JSON job in the HTTP API's format (what `nomad job run -output` and `nomad job \
         inspect` print), not an HCL2 jobspec: nvctl reads HCL2 (`job \"web\" { … }`). Check \
         the .nomad.hcl file the job came from, or get it back with `nomad job inspect -hcl JOB`"
            .to_string()
    } else {
        "HCL's JSON syntax, not an HCL2 jobspec in native syntax: nvctl reads native HCL2 \
         (`job \"web\" { … }`); check the .nomad.hcl file instead"
            .to_string()
    }
}

fn blocks<'a>(body: &'a Body, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
    body.iter()
        .filter_map(|s| s.as_block())
        .filter(move |b| b.ident.value().as_str() == ident)
}

fn attributes(body: &Body) -> impl Iterator<Item = &Attribute> {
    body.iter().filter_map(|s| s.as_attribute())
}

fn label(block: &Block) -> String {
    block
        .labels
        .first()
        .map(|l| match l {
            hcl::edit::structure::BlockLabel::Ident(i) => i.value().as_str().to_owned(),
            hcl::edit::structure::BlockLabel::String(s) => s.value().clone(),
        })
        .unwrap_or_default()
}

struct Reader<'a> {
    src: &'a str,
    file: &'a Path,
    lines: LineIndex,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn at(&self, span: Option<std::ops::Range<usize>>) -> SourceLocation {
        SourceLocation::new(self.file, self.lines.line_of(span))
    }

    fn job(&mut self, block: &Block) -> Job {
        let job_vault = self.vault_in(&block.body, VaultLevel::Job);
        let mut tasks = Vec::new();
        for group in blocks(&block.body, "group") {
            let group_name = label(group);
            let group_vault = self.vault_in(&group.body, VaultLevel::Group);
            for task in blocks(&group.body, "task") {
                let task_vault = self.vault_in(&task.body, VaultLevel::Task);
                let vault = task_vault
                    .or_else(|| group_vault.clone())
                    .or_else(|| job_vault.clone());
                let templates = blocks(&task.body, "template")
                    .map(|t| self.template(t))
                    .collect();
                tasks.push(Task {
                    group: group_name.clone(),
                    name: label(task),
                    at: self.at(task.span()),
                    vault,
                    templates,
                });
            }
        }
        // HCL2 jobspec: `namespace` is an attribute of the job block (jobspec2 parse_job.go).
        let namespace = attributes(&block.body)
            .find(|a| a.key.value().as_str() == "namespace")
            .map(|a| self.string(a));
        Job {
            name: label(block),
            at: self.at(block.span()),
            namespace,
            tasks,
        }
    }

    /// The `vault` block directly inside `body`. Nomad's HCL2 decoder allows one; a second is
    /// reported with Nomad's wording and ignored.
    fn vault_in(&mut self, body: &Body, level: VaultLevel) -> Option<TaskVault> {
        let mut found = blocks(body, "vault");
        let block = found.next()?;
        for duplicate in found {
            self.problems.push(Problem::new(
                Severity::Error,
                Source::Nomad,
                format!(
                    "Duplicate vault block; Only one vault block is allowed. Another was defined at {}.",
                    self.at(block.span())
                ),
                Some(self.at(duplicate.span())),
            ));
        }
        let mut vault = TaskVault {
            level,
            at: self.at(block.span()),
            policies: None,
            role: None,
            namespace: None,
            cluster: None,
            env: None,
            disable_file: None,
            change_mode: None,
            change_signal: None,
            allow_token_expiration: None,
        };
        for attr in attributes(&block.body) {
            let key = attr.key.value().as_str();
            match key {
                "policies" => vault.policies = Some(self.string_list(attr)),
                "role" => vault.role = Some(self.string(attr)),
                "namespace" => vault.namespace = Some(self.string(attr)),
                "cluster" => vault.cluster = Some(self.string(attr)),
                "env" => vault.env = Some(self.boolean(attr)),
                "disable_file" => vault.disable_file = Some(self.boolean(attr)),
                "change_mode" => vault.change_mode = Some(self.string(attr)),
                "change_signal" => vault.change_signal = Some(self.string(attr)),
                "allow_token_expiration" => vault.allow_token_expiration = Some(self.boolean(attr)),
                _ => self.unsupported_argument(attr, JOB_VAULT_KEYS),
            }
        }
        for nested in body_blocks(&block.body) {
            self.problems.push(Problem::new(
                Severity::Error,
                Source::Nomad,
                format!(
                    "Unsupported block type; Blocks of type {} are not expected here.",
                    go_quote(nested.ident.value().as_str())
                ),
                Some(self.at(nested.span())),
            ));
        }
        Some(vault)
    }

    fn unsupported_argument(&mut self, attr: &Attribute, known: &[&str]) {
        let key = attr.key.value().as_str();
        let mut message = format!(
            "Unsupported argument; An argument named {} is not expected here.",
            go_quote(key)
        );
        if let Some(suggestion) = source::closest(key, known) {
            message.push_str(&format!(" Did you mean {}?", go_quote(suggestion)));
        }
        self.problems.push(Problem::new(
            Severity::Error,
            Source::Nomad,
            message,
            Some(self.at(attr.span())),
        ));
    }

    fn template(&mut self, block: &Block) -> TaskTemplate {
        let mut template = TaskTemplate {
            at: self.at(block.span()),
            data: None,
            source: None,
            destination: None,
            change_mode: None,
            change_signal: None,
            left_delimiter: None,
            right_delimiter: None,
        };
        for attr in attributes(&block.body) {
            match attr.key.value().as_str() {
                "data" => template.data = Some(self.template_data(attr)),
                "source" => template.source = Some(self.string(attr)),
                "destination" => template.destination = Some(self.string(attr)),
                "change_mode" => template.change_mode = Some(self.string(attr)),
                "change_signal" => template.change_signal = Some(self.string(attr)),
                "left_delimiter" => template.left_delimiter = Some(self.string(attr)),
                "right_delimiter" => template.right_delimiter = Some(self.string(attr)),
                // The rest (env, perms, splay, wait …) does not bear on Vault access.
                _ => {}
            }
        }
        template
    }

    fn template_data(&mut self, attr: &Attribute) -> Setting<TemplateData> {
        let at = self.at(attr.span());
        let expr_line = self.lines.line_of(attr.value.span());
        let (template, heredoc) = match &attr.value {
            Expression::String(s) => {
                return Setting {
                    value: Checkable::Literal(TemplateData {
                        text: s.value().clone(),
                        hcl_interpolations: Vec::new(),
                        first_file_line: expr_line,
                        maps_line_for_line: !self
                            .src
                            .get(attr.value.span().unwrap_or_default())
                            .unwrap_or_default()
                            .contains("\\n"),
                    }),
                    at,
                }
            }
            Expression::StringTemplate(t) => (&**t, false),
            Expression::HeredocTemplate(h) => (&h.template, true),
            other => {
                return Setting {
                    value: Checkable::NotCheckable {
                        expression: source::source_text(self.src, other.span()),
                    },
                    at,
                }
            }
        };
        let rendered = render_verbatim(template, self.src);
        Setting {
            value: Checkable::Literal(TemplateData {
                text: rendered.text,
                hcl_interpolations: rendered.interpolations,
                // A heredoc's text starts on the line after `<<EOF`.
                first_file_line: if heredoc {
                    expr_line.map(|l| l + 1)
                } else {
                    expr_line
                },
                maps_line_for_line: heredoc
                    || !self
                        .src
                        .get(attr.value.span().unwrap_or_default())
                        .unwrap_or_default()
                        .contains("\\n"),
            }),
            at,
        }
    }

    fn value(&self, attr: &Attribute) -> Result<Literal, String> {
        literal(&attr.value, self.src, Interpolations::NotCheckable)
    }

    fn string(&mut self, attr: &Attribute) -> Setting<String> {
        let value = match self.value(attr) {
            Ok(Literal::String(s)) => Checkable::Literal(s),
            Ok(Literal::Number(n)) => Checkable::Literal(n),
            Ok(Literal::Bool(b)) => Checkable::Literal(b.to_string()),
            Ok(other) => {
                self.wrong_type(attr, "string", &other);
                Checkable::NotCheckable {
                    expression: source::source_text(self.src, attr.value.span()),
                }
            }
            Err(expression) => Checkable::NotCheckable { expression },
        };
        Setting {
            value,
            at: self.at(attr.span()),
        }
    }

    fn boolean(&mut self, attr: &Attribute) -> Setting<bool> {
        // HCL2 converts the strings "true"/"false" to bool, so Nomad accepts them too.
        let value = match self.value(attr) {
            Ok(Literal::Bool(b)) => Checkable::Literal(b),
            Ok(Literal::String(s)) if s == "true" || s == "false" => {
                Checkable::Literal(s == "true")
            }
            Ok(other) => {
                self.wrong_type(attr, "bool", &other);
                Checkable::NotCheckable {
                    expression: source::source_text(self.src, attr.value.span()),
                }
            }
            Err(expression) => Checkable::NotCheckable { expression },
        };
        Setting {
            value,
            at: self.at(attr.span()),
        }
    }

    fn string_list(&mut self, attr: &Attribute) -> Setting<Vec<String>> {
        let value = match self.value(attr) {
            Ok(Literal::Array(items)) => {
                let strings: Option<Vec<String>> = items
                    .into_iter()
                    .map(|item| match item {
                        Literal::String(s) => Some(s),
                        Literal::Number(n) => Some(n),
                        _ => None,
                    })
                    .collect();
                match strings {
                    Some(strings) => Checkable::Literal(strings),
                    None => {
                        self.problems.push(Problem::new(
                            Severity::Error,
                            Source::Nvctl,
                            format!("{} must be a list of strings", attr.key.value().as_str()),
                            Some(self.at(attr.span())),
                        ));
                        Checkable::NotCheckable {
                            expression: source::source_text(self.src, attr.value.span()),
                        }
                    }
                }
            }
            Ok(other) => {
                self.wrong_type(attr, "list of string", &other);
                Checkable::NotCheckable {
                    expression: source::source_text(self.src, attr.value.span()),
                }
            }
            Err(expression) => Checkable::NotCheckable { expression },
        };
        Setting {
            value,
            at: self.at(attr.span()),
        }
    }

    fn wrong_type(&mut self, attr: &Attribute, wanted: &str, found: &Literal) {
        self.problems.push(Problem::new(
            Severity::Error,
            Source::Nvctl,
            format!(
                "{} must be a {wanted}, found {}",
                attr.key.value().as_str(),
                found.kind()
            ),
            Some(self.at(attr.span())),
        ));
    }
}

fn body_blocks(body: &Body) -> impl Iterator<Item = &Block> {
    body.iter().filter_map(|s| s.as_block())
}

/// Nomad's own validation of a jobspec `vault` block (`structs.Vault.Validate`), in Nomad's
/// words. `require_policies` reproduces the legacy flow's `Policy list cannot be empty`
/// (Nomad ≤ 1.6; workload identity may name a `role` instead).
///
/// Fields nvctl cannot read are reported as not checkable instead of validated.
pub fn validate_vault(vault: &TaskVault, require_policies: bool) -> Vec<Problem> {
    let mut problems = Vec::new();
    let nomad_error = |message: String, at: &SourceLocation| {
        Problem::new(Severity::Error, Source::Nomad, message, Some(at.clone()))
    };
    match &vault.policies {
        Some(Setting {
            value: Checkable::Literal(policies),
            at,
        }) => {
            if require_policies && policies.is_empty() {
                problems.push(nomad_error("Policy list cannot be empty".into(), at));
            }
            for _root in policies.iter().filter(|p| *p == "root") {
                problems.push(nomad_error("Can not specify \"root\" policy".into(), at));
            }
        }
        Some(Setting {
            value: Checkable::NotCheckable { expression },
            at,
        }) => problems.push(not_checkable("policies", expression, at)),
        None if require_policies => {
            problems.push(nomad_error("Policy list cannot be empty".into(), &vault.at))
        }
        None => {}
    }

    let mode_at = vault
        .change_mode
        .as_ref()
        .map_or(&vault.at, |setting| &setting.at);
    match vault.change_mode() {
        Checkable::Literal(mode) => match mode.as_str() {
            "signal" => match &vault.change_signal {
                None => problems.push(nomad_error(
                    "Signal must be specified when using change mode \"signal\"".into(),
                    mode_at,
                )),
                Some(Setting {
                    value: Checkable::Literal(signal),
                    ..
                }) if signal.is_empty() => problems.push(nomad_error(
                    "Signal must be specified when using change mode \"signal\"".into(),
                    mode_at,
                )),
                Some(Setting {
                    value: Checkable::NotCheckable { expression },
                    at,
                }) => problems.push(not_checkable("change_signal", expression, at)),
                Some(_) => {}
            },
            "noop" | "restart" => {}
            other => problems.push(nomad_error(
                format!("Unknown change mode {}", go_quote(other)),
                mode_at,
            )),
        },
        Checkable::NotCheckable { expression } => {
            problems.push(not_checkable("change_mode", &expression, mode_at))
        }
    }
    problems
}

fn not_checkable(field: &str, expression: &str, at: &SourceLocation) -> Problem {
    Problem::new(
        Severity::Warning,
        Source::Nvctl,
        format!("vault.{field} is not checkable: it is computed ({expression}), not a literal"),
        Some(at.clone()),
    )
}

/// Everything nvctl can say about a task without Vault: [`validate_vault`] on its effective
/// block, plus template notes (data read from `source`, computed secret paths, templates
/// reading Vault secrets in a task without any `vault` block).
pub fn check_task(task: &Task, require_policies: bool) -> Vec<Problem> {
    let mut problems = task
        .vault
        .as_ref()
        .map(|vault| validate_vault(vault, require_policies))
        .unwrap_or_default();
    for template in &task.templates {
        if let Some(source) = &template.source {
            let what = match &source.value {
                Checkable::Literal(path) => go_quote(path),
                Checkable::NotCheckable { expression } => expression.clone(),
            };
            problems.push(Problem::new(
                Severity::Info,
                Source::Nvctl,
                format!(
                    "template reads its text from source {what} at run time: nvctl cannot check the Vault paths it uses"
                ),
                Some(source.at.clone()),
            ));
        }
        if let Some(Setting {
            value: Checkable::NotCheckable { expression },
            at,
        }) = &template.data
        {
            problems.push(Problem::new(
                Severity::Warning,
                Source::Nvctl,
                format!("template data is not checkable: it is computed ({expression})"),
                Some(at.clone()),
            ));
        }
        let refs = template.secret_refs();
        for secret in &refs {
            if let Checkable::NotCheckable { expression } = &secret.path {
                problems.push(Problem::new(
                    Severity::Warning,
                    Source::Nvctl,
                    format!(
                        "template line {}: the Vault path is computed ({expression}), not checkable",
                        secret.line
                    ),
                    Some(SourceLocation::new(
                        &template.at.file,
                        secret.file_line.or(template.at.line),
                    )),
                ));
            }
        }
        if task.vault.is_none() && !refs.is_empty() {
            problems.push(Problem::new(
                Severity::Error,
                Source::Nvctl,
                format!(
                    "task {} reads Vault secrets in a template but has no vault block at task, group or job level: it will get no Vault token",
                    go_quote(&task.name)
                ),
                Some(template.at.clone()),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/jobs")
            .join(name)
    }

    fn only_task(spec: &Jobspec) -> &Task {
        assert_eq!(spec.jobs.len(), 1);
        assert_eq!(spec.jobs[0].tasks.len(), 1);
        &spec.jobs[0].tasks[0]
    }

    fn messages(problems: &[Problem]) -> Vec<(&str, Option<usize>)> {
        problems
            .iter()
            .map(|p| (p.message.as_str(), p.at.as_ref().and_then(|a| a.line)))
            .collect()
    }

    fn literal_policies(vault: &TaskVault) -> Vec<String> {
        vault.policies().literal().cloned().unwrap()
    }

    #[test]
    fn seed_web_job_has_task_vault_and_reads_database_creds() {
        let spec = load(&fixture("nomad-vault-demo.nomad.hcl")).unwrap();
        assert_eq!(spec.jobs[0].name, "nomad-vault-demo");
        let task = only_task(&spec);
        assert_eq!(
            (task.group.as_str(), task.name.as_str()),
            ("demo", "server")
        );
        let vault = task.vault.as_ref().unwrap();
        assert_eq!(vault.level, VaultLevel::Task);
        assert_eq!(vault.at.line, Some(10));
        assert_eq!(literal_policies(vault), vec!["access-tables"]);
        assert_eq!(
            vault.change_mode(),
            Checkable::Literal("restart".to_owned())
        );
        assert_eq!(vault.cluster(), Checkable::Literal("default".to_owned()));
        assert_eq!(vault.env(), Checkable::Literal(true));
        assert_eq!(vault.disable_file(), Checkable::Literal(false));

        assert_eq!(task.templates.len(), 1);
        let refs = task.templates[0].secret_refs();
        assert_eq!(
            refs,
            vec![SecretRef {
                function: SecretFunction::Secret,
                path: Checkable::Literal("database/creds/accessdb".to_owned()),
                line: 1,
                file_line: Some(28),
                writes: false,
                keys: vec![
                    KeyUse {
                        segments: vec!["username".to_owned()],
                        line: 5,
                        file_line: Some(32),
                        written: ".Data.username".to_owned(),
                        hyphenated_field: false,
                    },
                    KeyUse {
                        segments: vec!["password".to_owned()],
                        line: 7,
                        file_line: Some(34),
                        written: ".Data.password".to_owned(),
                        hyphenated_field: false,
                    },
                ],
            }]
        );
        assert!(spec.problems.is_empty());
        assert!(
            check_task(task, true).is_empty(),
            "{:?}",
            check_task(task, true)
        );
    }

    #[test]
    fn seed_database_job_uses_no_vault() {
        let spec = load(&fixture("postgres-nomad-demo.nomad.hcl")).unwrap();
        let task = only_task(&spec);
        assert_eq!(spec.jobs[0].name, "postgres-nomad-demo");
        assert!(task.vault.is_none());
        assert!(task.templates.is_empty());
        assert!(check_task(task, true).is_empty());
    }

    #[test]
    fn seed_hashicups_job_reads_its_secret_twice_without_any_vault_block() {
        let spec = load(&fixture("hashicups-example.nomad.hcl")).unwrap();
        assert_eq!(spec.jobs[0].name, "example");
        let task = only_task(&spec);
        let template = &task.templates[0];
        // `${NOMAD_SECRETS_DIR}` is an HCL2 interpolation: kept, but not a literal.
        assert_eq!(
            template.destination.as_ref().unwrap().value,
            Checkable::NotCheckable {
                expression: "\"${NOMAD_SECRETS_DIR}/env.vars\"".to_owned()
            }
        );
        let refs: Vec<_> = template
            .secret_refs()
            .into_iter()
            .map(|r| (r.path.literal().cloned().unwrap(), r.line, r.file_line))
            .collect();
        assert_eq!(
            refs,
            vec![
                ("secret/data/hashicups-api".to_owned(), 1, Some(24)),
                ("secret/data/hashicups-api".to_owned(), 2, Some(25)),
            ]
        );
        let problems = check_task(task, false);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].severity, Severity::Error);
        assert!(problems[0]
            .message
            .contains("reads Vault secrets in a template but has no vault block"));
    }

    #[test]
    fn indented_heredoc_is_dedented_and_keeps_file_lines() {
        let spec = load(&fixture("hashicups-wrong-policy.nomad.hcl")).unwrap();
        let task = only_task(&spec);
        assert_eq!(
            literal_policies(task.vault.as_ref().unwrap()),
            vec!["access-tables"]
        );
        let data = task.templates[0]
            .data
            .as_ref()
            .unwrap()
            .value
            .literal()
            .unwrap();
        assert!(data.text.starts_with("SECRET_ONE = "), "{:?}", data.text);
        let refs = task.templates[0].secret_refs();
        assert_eq!(
            refs[0].path,
            Checkable::Literal("secret/data/hashicups-api".to_owned())
        );
        assert_eq!(refs[0].file_line, Some(18));
    }

    #[test]
    fn root_policy_is_refused_in_nomads_words() {
        let spec = load(&fixture("root-policy.nomad.hcl")).unwrap();
        let vault = only_task(&spec).vault.as_ref().unwrap();
        let problems = validate_vault(vault, true);
        assert_eq!(
            messages(&problems),
            vec![("Can not specify \"root\" policy", Some(10))]
        );
        assert_eq!(problems[0].source, Source::Nomad);
        assert_eq!(problems[0].severity, Severity::Error);
    }

    #[test]
    fn signal_change_mode_without_signal_is_refused_in_nomads_words() {
        let spec = load(&fixture("signal-without-signal.nomad.hcl")).unwrap();
        let vault = only_task(&spec).vault.as_ref().unwrap();
        assert_eq!(
            messages(&validate_vault(vault, true)),
            vec![(
                "Signal must be specified when using change mode \"signal\"",
                Some(11)
            )]
        );
    }

    #[test]
    fn unknown_change_mode_is_refused_and_template_source_is_noted() {
        let spec = load(&fixture("unknown-change-mode.nomad.hcl")).unwrap();
        let task = only_task(&spec);
        let problems = check_task(task, true);
        assert_eq!(
            messages(&problems),
            vec![
                ("Unknown change mode \"reload\"", Some(11)),
                (
                    "template reads its text from source \"local/app.tpl\" at run time: nvctl cannot check the Vault paths it uses",
                    Some(15)
                ),
            ]
        );
        assert_eq!(problems[1].severity, Severity::Info);
    }

    #[test]
    fn interpolated_fields_are_not_checkable_never_guessed() {
        let spec = load(&fixture("interpolated-policy.nomad.hcl")).unwrap();
        let task = only_task(&spec);
        let vault = task.vault.as_ref().unwrap();
        assert_eq!(
            vault.policies(),
            Checkable::NotCheckable {
                expression: "[\"${var.policy}\"]".to_owned()
            }
        );
        assert_eq!(
            vault.role.as_ref().unwrap().value,
            Checkable::NotCheckable {
                expression: "var.policy".to_owned()
            }
        );
        let refs = task.templates[0].secret_refs();
        assert_eq!(refs.len(), 1);
        assert_eq!(
            refs[0].path,
            Checkable::NotCheckable {
                expression: "\"kv/data/${var.policy}\"".to_owned()
            }
        );
        let problems = check_task(task, true);
        assert_eq!(
            messages(&problems),
            vec![
                (
                    "vault.policies is not checkable: it is computed ([\"${var.policy}\"]), not a literal",
                    Some(16)
                ),
                (
                    "template line 1: the Vault path is computed (\"kv/data/${var.policy}\"), not checkable",
                    Some(21)
                ),
            ]
        );
        assert!(problems.iter().all(|p| p.severity == Severity::Warning));
    }

    #[test]
    fn nearest_vault_block_wins_whole_without_field_merge() {
        let spec = load(&fixture("vault-levels.nomad.hcl")).unwrap();
        let tasks = &spec.jobs[0].tasks;
        let by_name = |name: &str| tasks.iter().find(|t| t.name == name).unwrap();

        let api = by_name("api").vault.as_ref().unwrap();
        assert_eq!(api.level, VaultLevel::Task);
        assert_eq!(literal_policies(api), vec!["task-level"]);
        // The job-level change_mode = "noop" does not leak into the task's block.
        assert_eq!(api.change_mode(), Checkable::Literal("restart".to_owned()));

        let sidecar = by_name("sidecar").vault.as_ref().unwrap();
        assert_eq!(sidecar.level, VaultLevel::Job);
        assert_eq!(sidecar.at.line, Some(6));
        assert_eq!(literal_policies(sidecar), vec!["job-level"]);
        assert_eq!(sidecar.change_mode(), Checkable::Literal("noop".to_owned()));

        let worker = by_name("worker");
        assert_eq!(worker.group, "batch");
        let worker = worker.vault.as_ref().unwrap();
        assert_eq!(worker.level, VaultLevel::Group);
        assert_eq!(literal_policies(worker), vec!["group-level"]);
        assert_eq!(
            worker.role.as_ref().unwrap().value,
            Checkable::Literal("nomad-workloads".to_owned())
        );
    }

    #[test]
    fn unknown_vault_argument_is_reported_with_hcl2s_words() {
        let spec = load(&fixture("typo-vault-key.nomad.hcl")).unwrap();
        assert_eq!(
            messages(&spec.problems),
            vec![(
                "Unsupported argument; An argument named \"policy\" is not expected here.",
                Some(10)
            )]
        );
    }

    #[test]
    fn near_miss_vault_argument_gets_hcls_suggestion() {
        let src = "job \"j\" {\n  group \"g\" {\n    task \"t\" {\n      vault {\n        polices = [\"p\"]\n      }\n    }\n  }\n}\n";
        let spec = parse(src, Path::new("s.nomad.hcl")).unwrap();
        assert_eq!(
            messages(&spec.problems),
            vec![(
                "Unsupported argument; An argument named \"polices\" is not expected here. Did you mean \"policies\"?",
                Some(5)
            )]
        );
    }

    #[test]
    fn legacy_flow_requires_policies_but_workload_identity_does_not() {
        let src = "job \"j\" {\n  group \"g\" {\n    task \"t\" {\n      vault {\n        role = \"nomad-workloads\"\n      }\n    }\n  }\n}\n";
        let spec = parse(src, Path::new("wi.nomad.hcl")).unwrap();
        let vault = only_task(&spec).vault.as_ref().unwrap();
        assert_eq!(
            messages(&validate_vault(vault, true)),
            vec![("Policy list cannot be empty", Some(4))]
        );
        assert!(validate_vault(vault, false).is_empty());
    }

    #[test]
    fn string_booleans_and_signal_are_read_like_hcl2() {
        let src = "job \"j\" {\n  group \"g\" {\n    task \"t\" {\n      vault {\n        policies = [\"p\"]\n        env = \"false\"\n        change_mode = \"signal\"\n        change_signal = \"SIGHUP\"\n      }\n    }\n  }\n}\n";
        let spec = parse(src, Path::new("s.nomad.hcl")).unwrap();
        let vault = only_task(&spec).vault.as_ref().unwrap();
        assert_eq!(vault.env(), Checkable::Literal(false));
        assert!(validate_vault(vault, true).is_empty());
    }

    #[test]
    fn parse_errors_and_files_without_a_job_are_errors() {
        let err = parse("job \"x\" {\n  group \"g\" {\n", Path::new("bad.nomad.hcl")).unwrap_err();
        assert!(matches!(err, JobspecError::Parse { .. }), "{err:?}");
        assert!(err.to_string().starts_with("bad.nomad.hcl:"), "{err}");
        let err = parse("variable \"x\" {}\n", Path::new("none.hcl")).unwrap_err();
        assert!(matches!(err, JobspecError::NoJob { .. }));
    }

    #[test]
    fn job_namespace_is_kept_and_defaults_to_default() {
        // jobspec2: `namespace` is a job attribute; Nomad's default namespace is "default".
        let src =
            "job \"j\" {\n  namespace = \"prod\"\n  group \"g\" {\n    task \"t\" {}\n  }\n}\n";
        let spec = parse(src, Path::new("ns.nomad.hcl")).unwrap();
        let job = &spec.jobs[0];
        assert_eq!(job.namespace(), Checkable::Literal("prod".to_owned()));
        assert_eq!(job.namespace.as_ref().unwrap().at.line, Some(2));
        let spec = parse("job \"j\" {}\n", Path::new("d.nomad.hcl")).unwrap();
        assert_eq!(
            spec.jobs[0].namespace(),
            Checkable::Literal("default".to_owned())
        );
        let spec = parse(
            "job \"j\" {\n  namespace = var.ns\n}\n",
            Path::new("v.nomad.hcl"),
        )
        .unwrap();
        assert!(matches!(
            spec.jobs[0].namespace(),
            Checkable::NotCheckable { .. }
        ));
    }

    #[test]
    fn quoted_template_data_maps_only_its_first_line() {
        let src = "job \"j\" {\n  group \"g\" {\n    task \"t\" {\n      template {\n        data = \"a\\n{{ secret \\\"kv/x\\\" }}\"\n      }\n    }\n  }\n}\n";
        let spec = parse(src, Path::new("q.nomad.hcl")).unwrap();
        let refs = only_task(&spec).templates[0].secret_refs();
        assert_eq!(refs[0].line, 2);
        assert_eq!(refs[0].file_line, None);
    }
}
