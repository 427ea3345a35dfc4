//! Step 6: the Nomad agents' `vault` blocks. Rendered from the options, parsed back (hcl-rs or
//! serde_json) and checked against Nomad's agent rules — a block nvctl prints must be one
//! Nomad accepts. With an output path the block is written there (0600 when it embeds a token).

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::checks::{check, Finding, Findings};
use crate::nomad::stanza::{self, AgentContext, AgentKind, VaultBlock};
use crate::output::Ui;
use crate::secret_file::PendingSecretFile;
use crate::vault::VaultClient;

use super::{unified_diff, Plan, Step};

/// Which text form to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StanzaFormat {
    Hcl,
    Json,
}

pub struct StanzaStep {
    kind: AgentKind,
    stanza: VaultBlock,
    format: StanzaFormat,
    output: Option<PathBuf>,
    /// Observed: the file's current text.
    existing: Option<String>,
    written: Vec<String>,
}

impl StanzaStep {
    pub fn new(
        kind: AgentKind,
        stanza: VaultBlock,
        format: StanzaFormat,
        output: Option<PathBuf>,
    ) -> StanzaStep {
        StanzaStep {
            kind,
            stanza,
            format,
            output,
            existing: None,
            written: Vec::new(),
        }
    }

    /// The block as text.
    pub fn render(&self) -> String {
        match self.format {
            StanzaFormat::Hcl => stanza::render_hcl(&self.stanza, self.kind),
            StanzaFormat::Json => stanza::render_json(&self.stanza),
        }
    }

    /// Parses the rendered text back and runs Nomad's agent rules over what was parsed.
    pub fn check(&self) -> Findings {
        let text = self.render();
        let subject = match self.kind {
            AgentKind::Server => "vault (server)",
            AgentKind::Client => "vault (client)",
        };
        match stanza::parse_back(&text, self.format == StanzaFormat::Json) {
            Ok(parsed) => stanza::check_agent_block_with(
                &parsed,
                &AgentContext {
                    kind: self.kind,
                    token_in_env: None,
                },
            )
            .into(),
            Err(e) => vec![Finding::nvctl(
                crate::checks::Severity::Error,
                check::STANZA,
                subject,
                format!("the rendered block does not parse back: {e}"),
            )]
            .into(),
        }
    }

    fn label(&self) -> String {
        let who = match self.kind {
            AgentKind::Server => "server",
            AgentKind::Client => "client",
        };
        match &self.output {
            Some(p) => format!("Nomad {who} vault block in {}", p.display()),
            None => format!("Nomad {who} vault block"),
        }
    }
}

impl Step for StanzaStep {
    fn name(&self) -> &'static str {
        "stanza"
    }

    fn needs_token(&self) -> bool {
        false
    }

    fn observe(&mut self, _client: &VaultClient) -> Result<()> {
        self.existing = match &self.output {
            Some(path) if path.exists() => Some(
                crate::local_file::read_text(path, crate::local_file::MAX_INPUT_BYTES)
                    .with_context(|| format!("cannot read {}", path.display()))?,
            ),
            _ => None,
        };
        Ok(())
    }

    fn plan(&self) -> Plan {
        let subject = self
            .output
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "stdout".to_string());
        let desired = self.render();
        // A block embedding a token is shown masked.
        let shown = match &self.stanza.token {
            Some(t) => desired.replace(t.expose(), &crate::output::mask(t.expose())),
            None => desired.clone(),
        };
        match &self.existing {
            Some(live) if *live == desired => Plan::nothing(subject, self.label()),
            Some(live) => Plan::update(
                subject.clone(),
                format!("{} differs", self.label()),
                unified_diff(live, &shown, &subject),
            )
            .with_done(format!("wrote {subject}")),
            None => Plan::create(
                subject.clone(),
                format!("write the {}", self.label()),
                shown,
            )
            .with_done(format!("wrote {subject}")),
        }
    }

    fn apply(&mut self, _client: &VaultClient, _ui: &Ui) -> Result<()> {
        let Some(path) = &self.output else {
            return Ok(());
        };
        let text = self.render();
        if self.stanza.token.is_some() {
            // A block with a token is a secret: 0600, never silently replaced.
            PendingSecretFile::create_new(path)?.commit(text.as_bytes())?;
        } else {
            PendingSecretFile::replace(path)?.commit(text.as_bytes())?;
        }
        self.written.push(path.display().to_string());
        Ok(())
    }

    fn verify(&mut self, _client: &VaultClient) -> Result<Findings> {
        Ok(self.check())
    }

    fn written(&self) -> Vec<String> {
        self.written.clone()
    }
}
