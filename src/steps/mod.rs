//! The setup steps. Every step is one module implementing [`Step`]:
//! **observe** the live state (reads only) → **plan** (nothing / create / update, with the
//! body or a diff) → **apply** after consent → **verify** by reading back and running Nomad's
//! rules. Steps are grouped into stages and flows in [`pipeline`]; the single-step commands
//! (`policy write`, `role create`, …) and `bootstrap` drive them through the same driver
//! ([`pipeline::drive`]), so they behave the same way. How to add a step: `README.md` here.

pub mod database;
pub mod database_root;
pub mod init;
pub mod job_check;
pub mod kv_secret;
pub mod nomad_secrets;
pub mod pipeline;
pub mod policy;
pub mod role;
pub mod stanza;
pub mod token;
pub mod unseal;
pub mod wi;

use anyhow::Result;
use serde::Serialize;

use crate::checks::Findings;
use crate::output::Ui;
use crate::vault::VaultClient;

/// What a step would change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Already in place.
    None,
    Create,
    Update,
    /// Remove what is there (`--destroy`): asked for like an update.
    Delete,
}

/// The outcome of observing: what would change and how to show it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub change: Change,
    /// The object concerned, e.g. `sys/policies/acl/nomad-server`.
    pub subject: String,
    /// One line for the operator, e.g. `policy "nomad-server" differs from the desired text`.
    pub summary: String,
    /// What will be written (shown before creating); secrets already masked.
    pub body: Option<String>,
    /// A unified diff live → desired (shown before updating).
    pub diff: Option<String>,
    /// What to say once applied, when `<subject>: created|updated` would read oddly.
    pub done: Option<String>,
    /// What to say when nothing is to change, when `<summary> already in place.` would read
    /// oddly.
    pub in_place: Option<String>,
    /// Until this change is applied nothing after it can be observed, and why (Vault is not
    /// initialised, Vault is sealed): Vault answers 503 to everything else.
    pub blocks: Option<String>,
    /// Shown with the plan (e.g. the init file cannot be used).
    pub warnings: Vec<String>,
    /// Why this change must not be applied although it was asked for (checked before consent,
    /// e.g. a role Nomad would reject).
    pub refusal: Option<String>,
}

impl Plan {
    /// The line printed once the change is applied, e.g. `sys/policies/acl/x: created`.
    pub fn done_message(&self) -> String {
        match &self.done {
            Some(done) => done.clone(),
            None => format!(
                "{}: {}",
                self.subject,
                match self.change {
                    Change::Update => "updated",
                    Change::Delete => "deleted",
                    _ => "created",
                }
            ),
        }
    }

    /// The line printed when nothing is to change: `<summary> already in place.`
    pub fn in_place_message(&self) -> String {
        match &self.in_place {
            Some(message) => message.clone(),
            None => format!("{} already in place.", self.summary),
        }
    }

    /// Says `message` instead of `<summary> already in place.` when nothing is to change.
    pub fn with_in_place(mut self, message: impl Into<String>) -> Plan {
        self.in_place = Some(message.into());
        self
    }

    /// Nothing after this change can be observed until it is applied, because `why`.
    pub fn blocking(mut self, why: impl Into<String>) -> Plan {
        self.blocks = Some(why.into());
        self
    }

    /// Shows `warning` with the plan.
    pub fn with_warning(mut self, warning: impl Into<String>) -> Plan {
        self.warnings.push(warning.into());
        self
    }

    /// This change must not be applied, because `why`.
    pub fn refused(mut self, why: impl Into<String>) -> Plan {
        self.refusal = Some(why.into());
        self
    }

    /// Says `message` instead of `<subject>: created` once applied.
    pub fn with_done(mut self, message: impl Into<String>) -> Plan {
        self.done = Some(message.into());
        self
    }

    pub fn nothing(subject: impl Into<String>, summary: impl Into<String>) -> Plan {
        Plan {
            change: Change::None,
            subject: subject.into(),
            summary: summary.into(),
            body: None,
            diff: None,
            done: None,
            in_place: None,
            blocks: None,
            warnings: Vec::new(),
            refusal: None,
        }
    }

    pub fn create(subject: impl Into<String>, summary: impl Into<String>, body: String) -> Plan {
        Plan {
            change: Change::Create,
            subject: subject.into(),
            summary: summary.into(),
            body: Some(body),
            diff: None,
            done: None,
            in_place: None,
            blocks: None,
            warnings: Vec::new(),
            refusal: None,
        }
    }

    /// Deleting `subject`; `body` says what goes with it.
    pub fn delete(subject: impl Into<String>, summary: impl Into<String>, body: String) -> Plan {
        Plan {
            change: Change::Delete,
            body: Some(body),
            ..Plan::nothing(subject, summary)
        }
    }

    pub fn update(subject: impl Into<String>, summary: impl Into<String>, diff: String) -> Plan {
        Plan {
            change: Change::Update,
            subject: subject.into(),
            summary: summary.into(),
            body: None,
            diff: Some(diff),
            done: None,
            in_place: None,
            blocks: None,
            warnings: Vec::new(),
            refusal: None,
        }
    }
}

/// One setup step. `observe` must send only reads; `apply` is only called after `plan`
/// reported a change and the operator consented; `verify` reads back and checks (a step whose
/// observation still stands — nothing written since — uses it as its read-back).
pub trait Step: Send {
    /// Short name: `init`, `unseal`, `policy`, `role`, `token`, `stanza`.
    fn name(&self) -> &'static str;
    /// Whether observing talks to Vault's API with a token (everything but init, unseal and
    /// local files). Such a step waits for a token, and looks again once Vault was initialised
    /// or unsealed: before that Vault answered it 503.
    fn needs_token(&self) -> bool {
        true
    }
    /// Whether what this step observes depends on what earlier stages write (the servers'
    /// token is judged against the policy and role; the workload policy is templated on the
    /// accessor of the auth method the first stage enables). The driver observes it again
    /// after an earlier stage changed something; under `--plan`, with changes pending above,
    /// it is reported as not observable yet.
    fn reads_earlier_writes(&self) -> bool {
        false
    }
    fn observe(&mut self, client: &VaultClient) -> Result<()>;
    fn plan(&self) -> Plan;
    /// What the step observed that makes the writes of its stage and after pointless (a
    /// Nomad that refuses the token Vault's engine would use): with an error among them, the
    /// driver stops before anything of the stage is written and reports them (exit 3), under
    /// `--plan` too.
    fn findings_before_writing(&self) -> Findings {
        Findings::new()
    }
    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()>;
    fn verify(&mut self, client: &VaultClient) -> Result<Findings>;
    /// Paths (files) the step wrote, for the JSON report.
    fn written(&self) -> Vec<String> {
        Vec::new()
    }
}

/// How the operator's consent is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// Creating needs no question (the command itself asked for it); updating (or deleting)
    /// shows the diff (or what goes) and asks. Used by the single-step commands.
    AskOnUpdate,
    /// Show the body or diff and ask before any write, as `nomad setup vault` does.
    AskAlways,
    /// Only observe and report (`--plan`); never write.
    PlanOnly,
}

/// What happened to one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Unchanged,
    Created,
    Updated,
    Deleted,
    /// `--plan`: a change is pending.
    Pending,
}

/// The record of one driven step.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub step: &'static str,
    pub subject: String,
    pub outcome: Outcome,
    pub findings: Findings,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    pub written: Vec<String>,
}

/// A borrowed step is a step: a single-step command keeps its concrete step and lends it to
/// the driver.
impl<S: Step + ?Sized> Step for &mut S {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn needs_token(&self) -> bool {
        (**self).needs_token()
    }
    fn reads_earlier_writes(&self) -> bool {
        (**self).reads_earlier_writes()
    }
    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        (**self).observe(client)
    }
    fn plan(&self) -> Plan {
        (**self).plan()
    }
    fn findings_before_writing(&self) -> Findings {
        (**self).findings_before_writing()
    }
    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        (**self).apply(client, ui)
    }
    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        (**self).verify(client)
    }
    fn written(&self) -> Vec<String> {
        (**self).written()
    }
}

/// Prints what a step would do: the body to be created or the diff to be applied. Nothing
/// here says a thing was written: under `--plan` it is what would be written, before consent
/// what will be.
pub fn show_plan(ui: &Ui, plan: &Plan, consent: Consent) {
    let when = match consent {
        Consent::PlanOnly => "would be done without --plan",
        _ => "will be done once approved",
    };
    ui.info(format!("[ ] {} ({when})", plan.summary));
    if let Some(body) = &plan.body {
        ui.info(indent(body));
    }
    if let Some(diff) = &plan.diff {
        ui.info(indent(diff));
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The bound on one diff's time: past it the diff is still correct (applied to the live text
/// it gives the desired one) but coarser than the smallest. Only texts that share almost no
/// line in the same order come near it; see BENCHMARKS.md "Policy text".
const DIFF_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A unified diff from `live` to `desired`, labelled the way operators read them.
pub fn unified_diff(live: &str, desired: &str, subject: &str) -> String {
    similar::TextDiff::configure()
        // Patience anchors on lines found once in each text (a policy's paths, a block's
        // keys), so texts that mostly agree diff in about n·log n; plain Myers is O(n·d).
        .algorithm(similar::Algorithm::Patience)
        .timeout(DIFF_TIME_LIMIT)
        .diff_lines(live, desired)
        .unified_diff()
        .context_radius(3)
        .header(&format!("live {subject}"), &format!("desired {subject}"))
        .to_string()
}
