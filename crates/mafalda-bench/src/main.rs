//! `mafalda-bench`: measured capacity of MafaldaRouter against plain mediasoup, the
//! cost of a cross-worker pipe, worker threads against worker processes, and a
//! data-centre simulation of the scheduler.
//!
//! Usage (`npm run bench -- ...`, which builds it as scripts/bench.sh says): mafalda-bench [all|srtp|big-room|small-rooms|pipe-hop|cross-node|cluster-scale|isolation|simulation|report] [--quick]
//! Full runs write bench-out/*.json, BENCHMARKS.md and docs/bench/*.png; `--quick`
//! (for CI) writes everything under bench-out/quick/ and leaves the committed report alone.

mod child;
mod clock;
mod generations;
mod histogram;
mod hog;
mod machine;
mod mafalda_room;
mod media;
mod nats;
mod plain_room;
mod plots;
mod profile;
mod publisher;
mod receiver;
mod report;
mod results;
mod room;
mod rtp;
mod scenarios;
mod simulation;
mod sink;
mod srtp;
mod thread_cpu;
mod udp_drops;
mod window;

use results::Recorded;
use scenarios::Scale;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

const SCENARIOS: [&str; 8] = ["srtp", "big-room", "small-rooms", "pipe-hop", "cross-node", "cluster-scale", "isolation", "simulation"];

/// Where results and the report go.
pub struct Paths {
    pub out: PathBuf,
    pub report: PathBuf,
    pub plots: PathBuf,
    /// How the report links to the plots.
    pub plots_link: String,
}

impl Paths {
    fn new(quick: bool) -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let root = root.canonicalize().unwrap_or(root);
        if quick {
            let out = root.join("bench-out/quick");
            Self { report: out.join("BENCHMARKS.md"), plots: out.clone(), plots_link: ".".into(), out }
        } else {
            Self { out: root.join("bench-out"), report: root.join("BENCHMARKS.md"), plots: root.join("docs/bench"), plots_link: "docs/bench".into() }
        }
    }
}

fn usage() -> ! {
    eprintln!("usage: mafalda-bench [all|{}|report] [--quick]", SCENARIOS.join("|"));
    std::process::exit(2);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    if let Some(i) = args.iter().position(|a| a == "--cluster-node") {
        match &args[i + 1..] {
            [nats, id, ip, ..] => scenarios::cross_node::serve_node(nats, id, ip),
            _ => usage(),
        }
    }
    if let Some(i) = args.iter().position(|a| a == "--hog") {
        match (args.get(i + 1).and_then(|c| c.parse().ok()), args.get(i + 2).and_then(|d| d.parse().ok())) {
            (Some(core), Some(duty)) => hog::run(core, duty),
            _ => usage(),
        }
    }
    if let Some(i) = args.iter().position(|a| a == "--child") {
        run_child(args.get(i + 1).map(String::as_str).unwrap_or_else(|| usage()), Scale { quick });
    }
    let names: Vec<&str> = args.iter().filter(|a| !a.starts_with("--")).map(String::as_str).collect();
    let command = match names.as_slice() {
        [] => "all",
        [one] => one,
        _ => usage(),
    };
    let selected: Vec<&str> = match command {
        "all" => SCENARIOS.to_vec(),
        "report" => Vec::new(),
        one if SCENARIOS.contains(&one) => vec![one],
        _ => usage(),
    };
    let paths = Paths::new(quick);
    let scale = Scale { quick };
    let invocation = format!(
        "npm run bench -- {command}{}",
        if quick { " --quick" } else { "" }
    );
    let started = Instant::now();
    for scenario in selected {
        run_scenario(scenario, scale, &invocation, &paths);
    }
    if child::any_failed() {
        eprintln!("some measured task gave no result (see above): the run failed, the report is left as it was");
        std::process::exit(1);
    }
    if let Err(e) = report::write(&paths) {
        eprintln!("could not write the report: {e}");
        std::process::exit(1);
    }
    eprintln!("done in {:.1} s; report: {}", started.elapsed().as_secs_f64(), paths.report.display());
}

/// One measured task, in a child process started by `child::run`.
fn run_child(task: &str, scale: Scale) -> ! {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    // "<task>:<protection key>" where subscribers' protection varies (room::Protection::key).
    let (name, protection) = match task.rsplit_once(':').and_then(|(name, key)| Some((name, room::Protection::parse(key)?))) {
        Some((name, protection)) => (name, protection),
        None => (task, room::Protection::Rtp),
    };
    match name {
        "big-room-plain" => child::finish(&runtime.block_on(scenarios::big_room::ramp_plain(scale, protection))),
        "big-room-mafalda" => child::finish(&runtime.block_on(scenarios::big_room::ramp_mafalda(scale, protection))),
        "pipe-hop" => child::finish(&runtime.block_on(scenarios::pipe_hop::measure(scale, protection))),
        "cross-node" => child::finish(&runtime.block_on(scenarios::cross_node::measure(scale))),
        "srtp" => child::finish(&runtime.block_on(scenarios::srtp::measure(scale))),
        "cluster-scale" => child::finish(&runtime.block_on(scenarios::cluster_scale::measure(scale))),
        other if other.starts_with("isolation:") => {
            let backing = scenarios::isolation::backing_named(&other["isolation:".len()..]).unwrap_or_else(|| usage());
            child::finish(&runtime.block_on(scenarios::isolation::measure(backing, scale)))
        }
        other => {
            let policy = other.strip_prefix("small-rooms:").and_then(mafalda_core::Policy::parse).unwrap_or_else(|| usage());
            child::finish(&runtime.block_on(scenarios::small_rooms::run_policy(policy, protection, scale)))
        }
    }
}

fn run_scenario(scenario: &str, scale: Scale, command: &str, paths: &Paths) {
    let started = Instant::now();
    match scenario {
        "big-room" => record(scenario, command, scale, started, paths, scenarios::big_room::run(scale)),
        "small-rooms" => record(scenario, command, scale, started, paths, scenarios::small_rooms::run(scale)),
        "srtp" => match scenarios::srtp::run(scale) {
            Some(result) => record(scenario, command, scale, started, paths, result),
            None => eprintln!("[srtp] failed; its previous result (if any) is kept"),
        },
        "pipe-hop" => match scenarios::pipe_hop::run(scale) {
            Some(result) => record(scenario, command, scale, started, paths, result),
            None => eprintln!("[pipe-hop] failed; its previous result (if any) is kept"),
        },
        "cross-node" => match scenarios::cross_node::run(scale) {
            Some(result) => record(scenario, command, scale, started, paths, result),
            None => eprintln!("[cross-node] failed; its previous result (if any) is kept"),
        },
        "cluster-scale" => match scenarios::cluster_scale::run(scale) {
            Some(result) => record(scenario, command, scale, started, paths, result),
            None => eprintln!("[cluster-scale] failed; its previous result (if any) is kept"),
        },
        "isolation" => record(scenario, command, scale, started, paths, scenarios::isolation::run(scale)),
        "simulation" => {
            let setup = simulation::Setup {
                seed: simulation::SEEDS[0],
                nodes: scale.pick(10, 100),
                cores_per_node: 64,
                rooms: scale.pick(1_000, 10_000),
                cpu_per_packet_us: 7.5,
            };
            record(scenario, command, scale, started, paths, simulation::run_seeds(setup, &simulation::SEEDS))
        }
        _ => unreachable!("checked in main"),
    }
}

fn record<T: Serialize>(scenario: &str, command: &str, scale: Scale, started: Instant, paths: &Paths, result: T) {
    let recorded = Recorded {
        scenario: scenario.to_string(),
        command: command.to_string(),
        quick: scale.quick,
        finished_at: SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        seconds: started.elapsed().as_secs_f64(),
        machine: machine::read(),
        result,
    };
    if let Err(e) = results::save(&paths.out, &recorded) {
        eprintln!("could not save {scenario}: {e}");
        std::process::exit(1);
    }
    eprintln!("[{scenario}] done in {:.1} s", recorded.seconds);
}
