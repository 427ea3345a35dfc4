//! The setup steps. Every step is one module implementing [`Step`]:
//! **observe** the live state (reads only) → **plan** (nothing / create / update, with the
//! body or a diff) → **apply** after consent → **verify** by reading back and running Nomad's
//! rules. The single-step commands (`policy write`, `role create`, …) and `bootstrap` drive
//! steps through the same [`drive`] function, so they behave the same way.

pub mod init;
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
}

impl Plan {
    /// The line printed once the change is applied, e.g. `sys/policies/acl/x: created`.
    pub fn done_message(&self) -> String {
        match &self.done {
            Some(done) => done.clone(),
            None => format!(
                "{}: {}",
                self.subject,
                if self.change == Change::Update {
                    "updated"
                } else {
                    "created"
                }
            ),
        }
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
        }
    }
}

/// One setup step. `observe` must send only reads; `apply` is only called after `plan`
/// reported a change and the operator consented; `verify` reads back and checks.
pub trait Step: Send {
    /// Short name: `init`, `unseal`, `policy`, `role`, `token`, `stanza`.
    fn name(&self) -> &'static str;
    fn observe(&mut self, client: &VaultClient) -> Result<()>;
    fn plan(&self) -> Plan;
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
    /// Creating needs no question (the command itself asked for it); updating shows the diff
    /// and asks. Used by the single-step commands.
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

/// Observes, plans, asks, applies and verifies one step.
pub fn drive(
    step: &mut dyn Step,
    client: &VaultClient,
    ui: &Ui,
    consent: Consent,
) -> Result<StepReport> {
    step.observe(client)?;
    let plan = step.plan();
    let outcome = match (plan.change, consent) {
        (Change::None, _) => {
            ui.done(format!("{} already in place.", plan.summary));
            Outcome::Unchanged
        }
        (_, Consent::PlanOnly) => {
            show_plan(ui, &plan);
            Outcome::Pending
        }
        (change, consent) => {
            let ask = change == Change::Update || consent == Consent::AskAlways;
            if ask {
                show_plan(ui, &plan);
                if !ui.confirm(&format!("Apply this change to {}?", plan.subject))? {
                    anyhow::bail!("{} was not changed: the operator declined", plan.subject);
                }
            }
            step.apply(client, ui)?;
            ui.done(plan.done_message());
            if change == Change::Create {
                Outcome::Created
            } else {
                Outcome::Updated
            }
        }
    };
    let findings = if outcome == Outcome::Pending {
        Findings::new()
    } else {
        step.verify(client)?
    };
    Ok(StepReport {
        step: step.name(),
        subject: plan.subject,
        outcome,
        findings,
        diff: plan.diff,
        written: step.written(),
    })
}

/// Prints what a step would do: the body to be created or the diff to be applied.
pub fn show_plan(ui: &Ui, plan: &Plan) {
    ui.info(format!("[ ] {}", plan.summary));
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

/// A unified diff from `live` to `desired`, labelled the way operators read them.
pub fn unified_diff(live: &str, desired: &str, subject: &str) -> String {
    similar::TextDiff::from_lines(live, desired)
        .unified_diff()
        .context_radius(3)
        .header(&format!("live {subject}"), &format!("desired {subject}"))
        .to_string()
}
