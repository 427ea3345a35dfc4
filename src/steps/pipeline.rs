//! The one driver of steps. A [`Pipeline`] is data: an ordered list of [`Stage`]s, each a set
//! of [`Step`]s observed together and applied together. [`drive`] walks it — observe, plan,
//! consent (asked in pipeline order), apply, verify — and returns the [`PipelineReport`] that
//! `--plan`, the summary table and the JSON report are made from. `bootstrap`'s flows and every
//! single-step command (`init`, `unseal`, `policy write`, `role create`, `token create`,
//! `stanza --output`) go through here; none drives a step by hand. See `steps/README.md`.
//!
//! Round trips are what a run costs against a distant Vault, so the driver sends every read it
//! can at once:
//! - at the start it observes every step that can be (steps that need a token wait for one);
//! - a step whose plan *blocks* (Vault uninitialised or sealed: it answers 503 to everything
//!   else) makes the later steps that talk to Vault's API look again once it is applied;
//! - a step that [reads earlier writes](Step::reads_earlier_writes) looks again once an earlier
//!   stage changed something, and under `--plan` says it cannot be judged yet;
//! - when a step is looked at again, every later step that needs it is looked at in the same
//!   round, except past a step that itself reads earlier writes (its plan is not known yet);
//! - verification is one round for all steps; a step whose observation still stands uses it
//!   as its read-back.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Result;
use serde::Serialize;

use crate::checks::Findings;
use crate::output::{Progress, Ui};
use crate::secret::SecretString;
use crate::vault::VaultClient;

use super::{show_plan, Change, Consent, Outcome, Plan, Step, StepReport};

/// What the steps of one run tell each other: the keys init obtained, the seal statuses unseal
/// saw, the accessor of a mount an earlier stage enabled, what this run created ("ledgers").
/// One value per type; a step's module defines the types it publishes. Cheap to clone: clones
/// share the same facts.
#[derive(Clone, Default)]
pub struct Facts(Arc<Mutex<HashMap<TypeId, Box<dyn Any + Send>>>>);

impl std::fmt::Debug for Facts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Facts")
    }
}

impl Facts {
    fn lock(&self) -> MutexGuard<'_, HashMap<TypeId, Box<dyn Any + Send>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records `fact`, replacing an earlier one of its type.
    pub fn put<T: Any + Send>(&self, fact: T) {
        self.lock().insert(TypeId::of::<T>(), Box::new(fact));
    }

    /// A copy of the fact of type `T`, if one was recorded.
    pub fn get<T: Any + Send + Clone>(&self) -> Option<T> {
        self.lock()
            .get(&TypeId::of::<T>())
            .and_then(|b| b.downcast_ref::<T>())
            .cloned()
    }

    /// Removes and returns the fact of type `T`.
    pub fn take<T: Any + Send>(&self) -> Option<T> {
        self.lock()
            .remove(&TypeId::of::<T>())
            .and_then(|b| b.downcast::<T>().ok())
            .map(|b| *b)
    }

    /// Changes the fact of type `T` in place (starting from its default).
    pub fn update<T: Any + Send + Default, R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut map = self.lock();
        let entry = map
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()));
        match entry.downcast_mut::<T>() {
            Some(value) => f(value),
            // Unreachable: the key is the value's type.
            None => f(&mut T::default()),
        }
    }
}

/// The fact a step publishes when later steps must talk to Vault with another token (init's
/// root token): the driver switches to it after the stage.
#[derive(Clone)]
pub struct SessionToken(pub SecretString);

/// Steps observed together and applied together (their writes do not depend on each other).
pub struct Stage<'a> {
    /// For the operator: `policies and role`.
    pub label: &'static str,
    pub steps: Vec<Box<dyn Step + 'a>>,
}

impl<'a> Stage<'a> {
    pub fn new(label: &'static str, steps: impl IntoIterator<Item = Box<dyn Step + 'a>>) -> Self {
        Stage {
            label,
            steps: steps.into_iter().collect(),
        }
    }
}

/// The flow's own final verification, over what the steps found and published.
pub trait FinalCheck {
    /// The row of the summary table: `Nomad start-up checks`.
    fn label(&self) -> String;
    fn check(&mut self, facts: &Facts, client: &VaultClient) -> Result<Findings>;
}

/// An ordered list of stages: one flow, written once.
pub struct Pipeline<'a> {
    stages: Vec<Stage<'a>>,
    facts: Facts,
    final_check: Option<Box<dyn FinalCheck + 'a>>,
    /// What to say when a step needs a token and none is at hand.
    no_token: String,
    /// Every change of every stage is asked for before the first is applied.
    ask_all_first: bool,
}

impl<'a> Pipeline<'a> {
    /// An empty pipeline whose steps share `facts`.
    pub fn new(facts: Facts) -> Pipeline<'a> {
        Pipeline {
            stages: Vec::new(),
            facts,
            final_check: None,
            no_token: "no Vault token: set VAULT_TOKEN, write it to ~/.vault-token, or pass \
                       --token-file PATH"
                .to_string(),
            ask_all_first: false,
        }
    }

    /// Appends a stage; a stage without steps (an optional group not configured) is left out.
    pub fn stage(
        mut self,
        label: &'static str,
        steps: impl IntoIterator<Item = Box<dyn Step + 'a>>,
    ) -> Pipeline<'a> {
        let steps: Vec<_> = steps.into_iter().collect();
        if !steps.is_empty() {
            self.stages.push(Stage { label, steps });
        }
        self
    }

    /// Appends stages built elsewhere (a group of steps shared by flows).
    pub fn stages(mut self, stages: impl IntoIterator<Item = Stage<'a>>) -> Pipeline<'a> {
        self.stages
            .extend(stages.into_iter().filter(|s| !s.steps.is_empty()));
        self
    }

    /// The flow's final verification, run after every step verified.
    pub fn final_check(mut self, check: impl FinalCheck + 'a) -> Pipeline<'a> {
        self.final_check = Some(Box::new(check));
        self
    }

    /// What to say when a step needs a token and none is at hand.
    pub fn no_token_message(mut self, message: impl Into<String>) -> Pipeline<'a> {
        self.no_token = message.into();
        self
    }

    /// Asks for every change of every stage, in pipeline order, before the first is applied
    /// (the stages are then applied in order, each written together): for flows whose stages
    /// exist only to order writes the operator approves as one — `--destroy` removes the
    /// policy recording nvctl's roles only after the roles are gone, but asks for both first.
    /// Every step must be observable at the start: none may read earlier writes or block.
    pub fn ask_all_first(mut self) -> Pipeline<'a> {
        self.ask_all_first = true;
        self
    }

    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// The step names in order, as reported.
    pub fn step_names(&self) -> Vec<&'static str> {
        self.stages
            .iter()
            .flat_map(|s| s.steps.iter().map(|step| step.name()))
            .collect()
    }
}

/// The final verification's result.
#[derive(Debug, Clone, Serialize)]
pub struct FinalReport {
    #[serde(skip)]
    pub label: String,
    pub findings: Findings,
}

/// What one drive did and found.
#[derive(Debug, Clone, Default)]
pub struct PipelineReport {
    pub plan: bool,
    pub steps: Vec<StepReport>,
    /// The flow's final verification (`None` under `--plan`, or when the flow has none).
    pub verification: Option<FinalReport>,
}

impl PipelineReport {
    /// Changes are pending (`--plan`).
    pub fn pending(&self) -> bool {
        self.steps.iter().any(|s| s.outcome == Outcome::Pending)
    }

    /// Every file written by this run.
    pub fn written(&self) -> Vec<String> {
        self.steps
            .iter()
            .flat_map(|s| s.written.iter().cloned())
            .collect()
    }

    /// Whether a step's verification or the final one found an error.
    pub fn has_problems(&self) -> bool {
        self.verification
            .as_ref()
            .is_some_and(|v| v.findings.has_errors())
            || self.steps.iter().any(|s| s.findings.has_errors())
    }
}

/// Where one step stands in a drive.
struct Slot<'s, 'a> {
    step: &'s mut Box<dyn Step + 'a>,
    stage: usize,
    /// The outcome of the last observation; `None`: not observed, or no longer valid.
    observed: Option<Result<()>>,
    plan: Option<Plan>,
    outcome: Option<Outcome>,
    /// Why it cannot be observed under `--plan`.
    unobservable: Option<String>,
}

/// Observes, plans, asks, applies and verifies every step of `pipeline`, stage by stage.
/// `client` carries the operator's token (if any); a step publishing [`SessionToken`] changes
/// it for the stages after its own. With [`Consent::PlanOnly`] nothing is written.
pub fn drive(
    pipeline: &mut Pipeline<'_>,
    client: &VaultClient,
    ui: &Ui,
    consent: Consent,
) -> Result<PipelineReport> {
    let plan_only = consent == Consent::PlanOnly;
    let mut client = client.clone();
    let facts = pipeline.facts.clone();
    let labels: Vec<&'static str> = pipeline.stages.iter().map(|s| s.label).collect();
    let mut slots: Vec<Slot<'_, '_>> = Vec::new();
    for (index, stage) in pipeline.stages.iter_mut().enumerate() {
        for step in &mut stage.steps {
            slots.push(Slot {
                step,
                stage: index,
                observed: None,
                plan: None,
                outcome: None,
                unobservable: None,
            });
        }
    }

    // Everything that can be observed now, at once.
    observe_from(&mut slots, 0, &client, ui, false);

    let ask_all_first = pipeline.ask_all_first && !plan_only;
    if ask_all_first {
        if !client.has_token() && slots.iter().any(|s| s.step.needs_token()) {
            anyhow::bail!("{}", pipeline.no_token);
        }
        ask_everything(&mut slots, &labels, ui, consent)?;
    }

    let mut pending_earlier = false;
    let mut stopped: Option<String> = None;
    for (stage, label) in labels.iter().enumerate() {
        // Under --plan, a step judged against what earlier pending changes would alter
        // cannot be judged yet.
        if plan_only && pending_earlier {
            for slot in slots.iter_mut().filter(|s| s.stage == stage) {
                if slot.step.reads_earlier_writes() {
                    slot.unobservable = Some(format!(
                        "{} depends on the changes pending above",
                        slot.step.name()
                    ));
                }
            }
        }
        if let Some(why) = &stopped {
            for slot in slots.iter_mut().filter(|s| s.stage == stage) {
                slot.unobservable = Some(why.clone());
            }
        }
        if plan_only {
            for slot in slots.iter().filter(|s| s.stage == stage) {
                if let Some(why) = &slot.unobservable {
                    ui.info(format!(
                        "[ ] {}: not observable yet ({why})",
                        slot.step.name()
                    ));
                }
            }
        }
        if stopped.is_some() {
            continue;
        }
        // Steps of this stage that must (still) be looked at.
        let to_observe =
            |s: &Slot<'_, '_>| s.stage == stage && s.observed.is_none() && s.unobservable.is_none();
        if slots.iter().any(to_observe) {
            if ask_all_first {
                anyhow::bail!(
                    "internal error: a change approved before anything was written must not \
                     be observed again after an earlier stage"
                );
            }
            if !client.has_token() && slots.iter().any(|s| to_observe(s) && s.step.needs_token()) {
                anyhow::bail!("{}", pipeline.no_token);
            }
            observe_from(&mut slots, stage, &client, ui, true);
        }
        for slot in slots.iter_mut().filter(|s| s.stage == stage) {
            if slot.unobservable.is_some() {
                continue;
            }
            if let Some(Err(e)) = slot.observed.take() {
                return Err(e);
            }
            slot.observed = Some(Ok(()));
            // What was approved at the start is what is applied.
            if !ask_all_first {
                slot.plan = Some(slot.step.plan());
            }
        }

        // Findings that make this stage's writes pointless stop the run before them.
        let stopping: Vec<(usize, Findings)> = slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.stage == stage && s.unobservable.is_none())
            .map(|(i, s)| (i, s.step.findings_before_writing()))
            .filter(|(_, found)| found.has_errors())
            .collect();
        if !stopping.is_empty() {
            ui.failed(format!(
                "{label}: the checks below fail, so nothing of it or after it is {}",
                if plan_only { "planned" } else { "written" }
            ));
            let mut report = PipelineReport {
                plan: plan_only,
                ..PipelineReport::default()
            };
            for (i, slot) in slots.into_iter().enumerate() {
                let mut step = unverified(slot);
                if let Some((_, found)) = stopping.iter().find(|(j, _)| *j == i) {
                    step.findings = found.clone();
                }
                report.steps.push(step);
            }
            return Ok(report);
        }

        // Consent, in pipeline order, before anything of the stage is written.
        let changes = stage_changes(&slots, stage);
        if !ask_all_first {
            if !plan_only && changes.len() > 1 {
                ui.info(format!(
                    "The {} changes below ({}) are {} together, once each is approved:",
                    changes.len(),
                    label,
                    verb(&slots, &changes)
                ));
            }
            ask_stage(&mut slots, stage, ui, consent)?;
        }

        // Apply the stage's changes side by side, then say what was done, in order.
        if !plan_only && !changes.is_empty() {
            let mut to_apply: Vec<&mut Box<dyn Step + '_>> = slots
                .iter_mut()
                .enumerate()
                .filter(|(i, _)| changes.contains(i))
                .map(|(_, s)| &mut *s.step)
                .collect();
            let applied = in_flight(ui, &format!("writing: {}", label), || {
                all_at_once(&mut to_apply, |s| s.apply(&client, ui))
            });
            for result in applied {
                result?;
            }
            for &i in &changes {
                let slot = &mut slots[i];
                if let Some(plan) = &slot.plan {
                    ui.done(plan.done_message());
                    slot.outcome = Some(match plan.change {
                        Change::Update => Outcome::Updated,
                        Change::Delete => Outcome::Deleted,
                        _ => Outcome::Created,
                    });
                }
            }
        }

        let blocks = changes
            .iter()
            .find_map(|&i| slots[i].plan.as_ref().and_then(|p| p.blocks.clone()));
        if !changes.is_empty() {
            if plan_only {
                pending_earlier = true;
                if let Some(why) = blocks {
                    stopped = Some(why);
                }
                continue;
            }
            // What later steps observed may no longer hold.
            let token = facts.take::<SessionToken>();
            for slot in slots.iter_mut().filter(|s| s.stage > stage) {
                let talked_to_vault = slot.step.needs_token();
                if slot.step.reads_earlier_writes()
                    || (talked_to_vault && (blocks.is_some() || token.is_some()))
                {
                    slot.observed = None;
                }
            }
            if let Some(SessionToken(token)) = token {
                client = client.with_token(token);
            }
        }
    }

    let mut report = PipelineReport {
        plan: plan_only,
        ..PipelineReport::default()
    };
    if plan_only {
        for slot in slots {
            report.steps.push(unverified(slot));
        }
        return Ok(report);
    }

    // Verify everything at once.
    let findings: Vec<Result<Findings>> = {
        let mut steps: Vec<&mut Box<dyn Step + '_>> =
            slots.iter_mut().map(|s| &mut *s.step).collect();
        in_flight(ui, "verifying", || {
            all_at_once(&mut steps, |s| s.verify(&client))
        })
    };
    for (slot, found) in slots.into_iter().zip(findings) {
        let found = found?;
        let mut step = unverified(slot);
        step.findings = found;
        report.steps.push(step);
    }
    if let Some(check) = &mut pipeline.final_check {
        report.verification = Some(FinalReport {
            label: check.label(),
            findings: check.check(&facts, &client)?,
        });
    }
    Ok(report)
}

/// The indices of the steps of `stage` whose plan changes something.
fn stage_changes(slots: &[Slot<'_, '_>], stage: usize) -> Vec<usize> {
    slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.stage == stage)
        .filter(|(_, s)| s.plan.as_ref().is_some_and(|p| p.change != Change::None))
        .map(|(i, _)| i)
        .collect()
}

/// What applying `changes` does: a set of removals (`--destroy`) deletes; anything else writes.
fn verb(slots: &[Slot<'_, '_>], changes: &[usize]) -> &'static str {
    let deletes = changes.iter().all(|&i| {
        slots[i]
            .plan
            .as_ref()
            .is_some_and(|p| p.change == Change::Delete)
    });
    if deletes {
        "deleted"
    } else {
        "written"
    }
}

/// Shows the plans of `stage`'s steps in order and asks for each change that needs consent;
/// a refusal or a declined change stops the run before anything of the stage is written.
fn ask_stage(slots: &mut [Slot<'_, '_>], stage: usize, ui: &Ui, consent: Consent) -> Result<()> {
    for slot in slots.iter_mut().filter(|s| s.stage == stage) {
        let Some(plan) = &slot.plan else {
            continue;
        };
        for warning in &plan.warnings {
            ui.warn(warning);
        }
        if plan.change == Change::None {
            ui.done(plan.in_place_message());
            slot.outcome = Some(Outcome::Unchanged);
            continue;
        }
        if consent == Consent::PlanOnly {
            show_plan(ui, plan, consent);
            if let Some(refusal) = &plan.refusal {
                ui.warn(format!("a run would stop here, writing nothing: {refusal}"));
            }
            slot.outcome = Some(Outcome::Pending);
            continue;
        }
        if let Some(refusal) = &plan.refusal {
            anyhow::bail!("{refusal}");
        }
        let ask =
            matches!(plan.change, Change::Update | Change::Delete) || consent == Consent::AskAlways;
        if ask {
            show_plan(ui, plan, consent);
            if !ui.confirm(&format!("Apply this change to {}?", plan.subject))? {
                anyhow::bail!(
                    "{} was not changed: the operator declined; nothing after it was done",
                    plan.subject
                );
            }
        }
    }
    Ok(())
}

/// [`Pipeline::ask_all_first`]: plans every step on what it observed at the start and asks
/// for every change, stage after stage in pipeline order, before anything is applied; says
/// so first when there is more than one change, with the order the stages are applied in.
fn ask_everything(
    slots: &mut [Slot<'_, '_>],
    labels: &[&'static str],
    ui: &Ui,
    consent: Consent,
) -> Result<()> {
    for slot in slots.iter_mut() {
        match slot.observed.take() {
            Some(Ok(())) => slot.observed = Some(Ok(())),
            Some(Err(e)) => return Err(e),
            None => anyhow::bail!(
                "internal error: {} must be observed at the start to be asked for before \
                 anything is written",
                slot.step.name()
            ),
        }
        let plan = slot.step.plan();
        if slot.step.reads_earlier_writes() || plan.blocks.is_some() {
            anyhow::bail!(
                "internal error: {} depends on earlier writes and cannot be asked for before \
                 anything is written",
                slot.step.name()
            );
        }
        slot.plan = Some(plan);
    }
    let stages: Vec<(usize, Vec<usize>)> = (0..labels.len())
        .map(|stage| (stage, stage_changes(slots, stage)))
        .filter(|(_, changes)| !changes.is_empty())
        .collect();
    let all: Vec<usize> = stages.iter().flat_map(|(_, c)| c.iter().copied()).collect();
    if all.len() > 1 {
        let verb = verb(slots, &all);
        let order: Vec<String> = stages
            .iter()
            .map(|(stage, changes)| format!("{} ({})", labels[*stage], changes.len()))
            .collect();
        ui.info(format!(
            "The {} changes below are each asked for before any is {verb}; then they are {verb} \
             in this order, each group together: {}:",
            all.len(),
            order.join(", then ")
        ));
    }
    for stage in 0..labels.len() {
        ask_stage(slots, stage, ui, consent)?;
    }
    Ok(())
}

/// Observes, plans, asks, applies and verifies one step (the single-step commands).
pub fn drive_one(
    step: &mut dyn Step,
    client: &VaultClient,
    ui: &Ui,
    consent: Consent,
) -> Result<StepReport> {
    let label = step.name();
    let mut pipeline = Pipeline::new(Facts::default()).stage(label, [Box::new(step) as Box<_>]);
    let mut report = drive(&mut pipeline, client, ui, consent)?;
    report
        .steps
        .pop()
        .ok_or_else(|| anyhow::anyhow!("internal error: the step was not reported"))
}

/// Observes one step and returns its plan, printing nothing and writing nothing (`policy
/// diff`, `role diff`).
pub fn preview(step: &mut dyn Step, client: &VaultClient) -> Result<Plan> {
    step.observe(client)?;
    Ok(step.plan())
}

/// The report of one step, before verification.
fn unverified(slot: Slot<'_, '_>) -> StepReport {
    let plan = slot.plan.unwrap_or_else(|| slot.step.plan());
    let (outcome, diff) = match &slot.unobservable {
        Some(why) => (Outcome::Pending, Some(format!("not observable yet: {why}"))),
        None => (slot.outcome.unwrap_or(Outcome::Pending), plan.diff),
    };
    StepReport {
        step: slot.step.name(),
        subject: plan.subject,
        outcome,
        findings: Findings::new(),
        diff,
        written: slot.step.written(),
    }
}

/// Observes, at once, the steps from `stage` on that need it and can be: not past a stage whose
/// plan blocks, not past a stage of steps reading earlier writes (when `again`), and not a
/// step that needs a token while none is at hand.
fn observe_from(
    slots: &mut [Slot<'_, '_>],
    stage: usize,
    client: &VaultClient,
    ui: &Ui,
    again: bool,
) {
    let has_token = client.has_token();
    let mut last_stage = usize::MAX;
    for slot in slots.iter().filter(|s| s.stage >= stage) {
        let blocks = slot.observed.as_ref().is_some_and(|r| r.is_ok())
            && slot.plan.as_ref().is_some_and(|p| p.blocks.is_some());
        let waits = again && slot.observed.is_none() && slot.step.reads_earlier_writes();
        if blocks || waits {
            last_stage = last_stage.min(slot.stage);
        }
    }
    let mut batch: Vec<&mut Slot<'_, '_>> = slots
        .iter_mut()
        .filter(|s| s.stage >= stage && s.stage <= last_stage)
        .filter(|s| s.observed.is_none() && s.unobservable.is_none())
        .filter(|s| has_token || !s.step.needs_token())
        .collect();
    if batch.is_empty() {
        return;
    }
    let results = in_flight(ui, "observing Vault", || {
        all_at_once(&mut batch, |s| s.step.observe(client))
    });
    for (slot, result) in batch.into_iter().zip(results) {
        slot.plan = None;
        slot.observed = Some(result);
    }
}

/// Runs `f` (requests in flight, no prompt) under a spinner on a terminal; the spinner is
/// cleared when `f` returns, so the step's own `[✔]` line is the only one left, and nothing
/// is drawn or printed without a terminal (or in CI): the output there stays line for line.
fn in_flight<R>(ui: &Ui, message: &str, f: impl FnOnce() -> R) -> R {
    let spinner = Progress::spinner(ui.progress && !ui.quiet, true, message);
    let result = f();
    spinner.finish("");
    result
}

/// Runs `f` on every item at once and returns the results in order.
pub fn all_at_once<T: Send, R: Send>(items: &mut [T], f: impl Fn(&mut T) -> R + Sync) -> Vec<R> {
    if let [item] = items {
        return vec![f(item)];
    }
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = items
            .iter_mut()
            .map(|i| scope.spawn(move || f(i)))
            .collect();
        handles.into_iter().map(joined).collect()
    })
}

/// A scoped thread's result; its panic goes on in the caller.
pub fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    match handle.join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}
