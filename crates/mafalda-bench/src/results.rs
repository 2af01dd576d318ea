//! Raw results of a run, one JSON file per scenario in the output folder, so that the
//! report can be regenerated without running anything again.

use crate::machine::Machine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Recorded<T> {
    pub scenario: String,
    pub command: String,
    pub quick: bool,
    /// Seconds since the Unix epoch when the scenario finished.
    pub finished_at: u64,
    pub seconds: f64,
    pub machine: Machine,
    pub result: T,
}

pub fn file(out: &Path, scenario: &str) -> std::path::PathBuf {
    out.join(format!("{scenario}.json"))
}

pub fn save<T: Serialize>(out: &Path, recorded: &Recorded<T>) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let json = serde_json::to_string_pretty(recorded).map_err(std::io::Error::other)?;
    std::fs::write(file(out, &recorded.scenario), json)
}

pub fn load<T: DeserializeOwned>(out: &Path, scenario: &str) -> Option<Recorded<T>> {
    let text = std::fs::read_to_string(file(out, scenario)).ok()?;
    match serde_json::from_str(&text) {
        Ok(recorded) => Some(recorded),
        Err(e) => {
            eprintln!("ignoring {}: {e}", file(out, scenario).display());
            None
        }
    }
}
