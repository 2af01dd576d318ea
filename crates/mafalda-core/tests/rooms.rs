//! The core's top-level rooms (`src/<room>/` and `src/<room>.rs`) import each other
//! without a circle: each room can be read knowing only the rooms below it. Reads the
//! sources: every `crate::<room>` path, and names re-exported by `lib.rs` (`crate::{
//! MafaldaRouter, .. }`) counted as their room's.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `pool/mod.rs` → `pool`, `mafalda.rs` → `mafalda`; `lib.rs` and binaries are not rooms.
fn room_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?.to_string();
    match first.as_str() {
        "lib.rs" | "bin" => None,
        name => Some(name.trim_end_matches(".rs").to_string()),
    }
}

/// Names `lib.rs` re-exports, with the room they come from.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for line in lib.lines().filter_map(|l| l.trim().strip_prefix("pub use ")) {
        let path = line.trim_end_matches(';');
        let Some(room) = path.split("::").next() else { continue };
        let last = path.rsplit("::").next().unwrap();
        for name in last.trim_matches(|c| c == '{' || c == '}').split(',') {
            names.insert(name.trim().to_string(), room.to_string());
        }
    }
    names
}

/// The rooms a source file refers to through `crate::`.
fn referred(source: &str, names: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut rooms = BTreeSet::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let head = item.trim().split("::").next().unwrap_or("").trim();
                let room = names.get(head).cloned().unwrap_or_else(|| head.to_string());
                if !room.is_empty() {
                    rooms.insert(room);
                }
            }
        } else {
            let head: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            rooms.insert(names.get(&head).cloned().unwrap_or(head));
        }
    }
    rooms
}

/// A circle in `graph`, if there is one, as the rooms along it.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(room: &str, graph: &BTreeMap<String, BTreeSet<String>>, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|r| r == room) {
            let mut found = path[at..].to_vec();
            found.push(room.to_string());
            return Some(found);
        }
        if done.contains(room) {
            return None;
        }
        path.push(room.to_string());
        for next in graph.get(room).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(room.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|room| visit(room, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_room_of_the_core_imports_a_room_that_imports_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let names = reexports(&fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(room) = room_of(&src, file) else { continue };
        let uses = referred(&fs::read_to_string(file).unwrap(), &names);
        let entry = graph.entry(room.clone()).or_default();
        entry.extend(uses.into_iter().filter(|r| *r != room && !r.is_empty()));
    }
    // The seam, the hosts and the router are where the circles used to be.
    for room in ["backing", "host", "pool", "router", "serve", "cluster", "shapes"] {
        assert!(graph.contains_key(room), "room {room} exists: {:?}", graph.keys());
    }
    assert!(!graph["router"].contains("cluster") && !graph["router"].contains("host"), "the router sees nodes and hosts through the seam only: {:?}", graph["router"]);
    assert!(!graph["shapes"].iter().any(|r| ["router", "pool", "cluster"].contains(&r.as_str())), "shapes knows mediasoup only: {:?}", graph["shapes"]);
    assert_eq!(circle(&graph), None, "rooms and what they import: {graph:#?}");
}

#[test]
fn the_check_finds_a_circle_when_there_is_one() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), ["b".to_string()].into()),
        ("b".to_string(), ["c".to_string()].into()),
        ("c".to_string(), ["a".to_string()].into()),
    ]
    .into();
    assert_eq!(circle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    let names = reexports("pub use router::MafaldaRouter;\npub use pool::{PoolOptions, WorkerBacking};");
    assert_eq!(names["WorkerBacking"], "pool");
    assert_eq!(referred("use crate::{shapes, MafaldaRouter};\nlet x = crate::control::run;", &names), ["control", "router", "shapes"].map(String::from).into());
}
