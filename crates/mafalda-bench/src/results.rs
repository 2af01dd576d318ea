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

/// Writes the latest result of the scenario, and keeps a copy in `history/` so that
/// the report can show how much repeated runs differ.
pub fn save<T: Serialize>(out: &Path, recorded: &Recorded<T>) -> std::io::Result<()> {
    let history = out.join("history");
    std::fs::create_dir_all(&history)?;
    let json = serde_json::to_string_pretty(recorded).map_err(std::io::Error::other)?;
    std::fs::write(history.join(format!("{}-{}.json", recorded.scenario, recorded.finished_at)), &json)?;
    std::fs::write(file(out, &recorded.scenario), json)
}

/// Every kept run of a scenario, oldest first.
pub fn history<T: DeserializeOwned>(out: &Path, scenario: &str) -> Vec<Recorded<T>> {
    let Ok(entries) = std::fs::read_dir(out.join("history")) else { return Vec::new() };
    let prefix = format!("{scenario}-");
    let mut runs: Vec<Recorded<T>> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".json")))
        .filter_map(|e| serde_json::from_str(&std::fs::read_to_string(e.path()).ok()?).ok())
        .collect();
    runs.sort_by_key(|r| r.finished_at);
    runs
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
