//! BENCHMARKS.md's section on worker isolation: worker threads against worker
//! processes, from `bench-out/isolation.json`.

use crate::histogram::Percentiles;
use crate::scenarios::isolation::{BackingResult, IsolationResult};
use std::fmt::Write;

fn p50_p99(p: &Percentiles) -> String {
    format!("{:.0} / {:.0} µs", p.p50_us, p.p99_us)
}

/// process / thread, as "+12 %".
fn change(process: f64, thread: f64) -> String {
    if thread <= 0.0 {
        return "—".to_string();
    }
    format!("{:+.0} %", (process / thread - 1.0) * 100.0)
}

pub fn section(md: &mut String, result: &IsolationResult, quick: bool) {
    md.push_str("## 6. Worker isolation: threads against processes\n\n");
    let _ = writeln!(
        md,
        "The same pool with its workers as threads of the process (`workerBacking: 'thread'`) and as processes \
of their own (`mafalda-worker-host`, the default), one worker each, each backing in a child process of the \
bench, in the same run{}. Control calls are the JSON calls the binding makes ({} of each; for a process worker \
they cross the local channel to its host and back); media never crosses it. Forwarding is the big-room ramp on \
one worker, at the step under 1 % loss that delivered most, divided by the CPU of the worker thread.\n",
        if quick { " (`--quick`: small sizes, figures to read as an order of magnitude)" } else { "" },
        result.calls
    );
    let (Some(t), Some(p)) = (&result.thread, &result.process) else {
        md.push_str("One of the two backings gave no result in this run (see its log).\n\n");
        return;
    };
    md.push_str("| figure | worker thread | worker process | process vs thread |\n| --- | ---: | ---: | ---: |\n");
    let row = |md: &mut String, name: &str, thread: String, process: String, delta: String| {
        let _ = writeln!(md, "| {name} | {thread} | {process} | {delta} |");
    };
    let calls: [(&str, fn(&BackingResult) -> &Percentiles); 4] = [
        ("worker start (asked → running), p50 / p99", |r| &r.worker_start),
        ("`createWebRtcTransport`, p50 / p99", |r| &r.create_webrtc_transport),
        ("`produce`, p50 / p99", |r| &r.produce),
        ("`consume`, p50 / p99", |r| &r.consume),
    ];
    for (name, of) in calls {
        row(md, name, p50_p99(of(t)), p50_p99(of(p)), change(of(p).p50_us, of(t).p50_us));
    }
    row(
        md,
        "memory per worker (RSS it adds; a process: its host's)",
        format!("{:.1} MiB", t.memory_kib_per_worker / 1024.0),
        format!("{:.1} MiB", p.memory_kib_per_worker / 1024.0),
        change(p.memory_kib_per_worker, t.memory_kib_per_worker),
    );
    row(
        md,
        "forwarded packets per worker-core at < 1 % loss",
        format!("{:.0} ({:.0} pps on {:.2} cores)", t.pps_per_worker_core, t.delivered_pps, t.worker_cores),
        format!("{:.0} ({:.0} pps on {:.2} cores)", p.pps_per_worker_core, p.delivered_pps, p.worker_cores),
        change(p.pps_per_worker_core, t.pps_per_worker_core),
    );
    if let Some(k) = &p.kill_to_died {
        row(md, "kill -9 of the worker → `workerdied`, p50 / max", "—".into(), format!("{:.0} / {:.0} µs", k.p50_us, k.max_us), String::new());
    }
    md.push('\n');
}
