//! Prompts on the terminal (dialoguer). Only called when the session is interactive.

use anyhow::Result;

use crate::secret::SecretString;

pub fn confirm(question: &str) -> Result<bool> {
    Ok(dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()?)
}

pub fn password(prompt: &str) -> Result<SecretString> {
    let value = dialoguer::Password::new()
        .with_prompt(prompt)
        .allow_empty_password(true)
        .interact()?;
    Ok(SecretString::new(value))
}
