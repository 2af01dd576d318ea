//! A day of rooms: arrival times follow office hours, sizes are heavy-tailed (most
//! rooms 2–6 people, a few webinars of 1,000+), and everyone joins and leaves over
//! the room's life. Up to 6 participants publish audio + video (the speakers, who
//! join first); everyone receives every publisher.

use super::rng::Rng;
use serde::{Deserialize, Serialize};

pub const DAY_MS: u64 = 24 * 3600 * 1000;
pub const MAX_PUBLISHERS: usize = 6;

#[derive(Debug, Clone)]
pub struct Room {
    pub size: usize,
    pub publishers: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    // Leaves sort before joins at the same instant: capacity is freed first.
    Leave,
    Join,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Event {
    pub at_ms: u64,
    pub action: Action,
    pub room: usize,
    pub participant: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SizeBucket {
    pub sizes: String,
    pub rooms: usize,
}

pub struct Workload {
    pub rooms: Vec<Room>,
    pub events: Vec<Event>,
}

fn room_size(rng: &mut Rng) -> usize {
    let u = rng.unit();
    if u < 0.90 {
        rng.between(2, 6) as usize
    } else if u < 0.98 {
        rng.log_uniform(7.0, 50.0).round() as usize
    } else if u < 0.998 {
        rng.log_uniform(51.0, 999.0).round() as usize
    } else {
        rng.between(1000, 3000) as usize
    }
}

/// Office hours: a peak in the early afternoon over a low night-time floor.
fn arrival_ms(rng: &mut Rng) -> u64 {
    loop {
        let t = rng.unit() * 24.0;
        let rate = 0.08 + 0.92 * (-((t - 14.0) / 3.5f64).powi(2)).exp();
        if rng.unit() < rate {
            return (t * 3_600_000.0) as u64;
        }
    }
}

pub fn generate(seed: u64, rooms: usize) -> Workload {
    let mut rng = Rng::new(seed);
    let mut all = Vec::with_capacity(rooms);
    let mut events = Vec::new();
    for index in 0..rooms {
        let size = room_size(&mut rng);
        let start_ms = arrival_ms(&mut rng);
        let minutes = if size > 50 { rng.log_uniform(45.0, 120.0) } else { rng.log_uniform(15.0, 90.0) };
        let duration_ms = (minutes * 60_000.0) as u64;
        let end_ms = (start_ms + duration_ms).min(DAY_MS);
        let publishers = size.min(MAX_PUBLISHERS);
        let span = (end_ms - start_ms) / 4;
        for participant in 0..size {
            // Speakers arrive in the first minute; the audience over the first quarter
            // (at most 10 minutes) and drifts away in the last quarter (at most 5).
            let join_span = if participant < publishers { 60_000.min(span) } else { 600_000.min(span) };
            let join = start_ms + rng.between(0, join_span);
            let leave = if participant < publishers { end_ms } else { end_ms - rng.between(0, 300_000.min(span)) };
            events.push(Event { at_ms: join, action: Action::Join, room: index, participant });
            events.push(Event { at_ms: leave.max(join + 1), action: Action::Leave, room: index, participant });
        }
        all.push(Room { size, publishers });
    }
    events.sort();
    Workload { rooms: all, events }
}

pub fn size_buckets(rooms: &[Room]) -> Vec<SizeBucket> {
    [(1, 1), (2, 6), (7, 50), (51, 999), (1000, usize::MAX)]
        .iter()
        .map(|&(low, high)| SizeBucket {
            sizes: if high == usize::MAX { format!("{low}+") } else if low == high { format!("{low}") } else { format!("{low}–{high}") },
            rooms: rooms.iter().filter(|r| (low..=high).contains(&r.size)).count(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_day() {
        let (a, b) = (generate(42, 500), generate(42, 500));
        assert_eq!(a.events, b.events);
        assert_ne!(generate(43, 500).events, a.events);
    }

    #[test]
    fn most_rooms_are_small_and_a_few_are_huge() {
        let day = generate(1, 10_000);
        let buckets = size_buckets(&day.rooms);
        assert!(buckets[1].rooms > 8_500, "{buckets:?}");
        assert!((3..=60).contains(&buckets[4].rooms), "{buckets:?}");
        // Every join has its leave, later.
        assert_eq!(day.events.iter().filter(|e| e.action == Action::Join).count() * 2, day.events.len());
    }
}
