//! Growth-aware headroom: the load a room's members on a worker will add once each
//! receives the streams its room is expected to have. A room's load grows after its
//! members are placed (a publisher who joins later adds a stream to every member, and
//! load figures lag a burst of joins), so each worker keeps this much free for the
//! rooms it already hosts (`Candidate::reserved`). The pool and the data-centre
//! simulation both fill it with this function.

/// Load `members` will add when each receives `expected` streams instead of the `now`
/// it receives today, at `stream_cost` (fraction of one core) per received stream.
pub fn headroom(members: usize, now: f64, expected: f64, stream_cost: f64) -> f64 {
    members as f64 * (expected - now).max(0.0) * stream_cost
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_reserve_the_streams_they_do_not_receive_yet() {
        // 100 audience members of a room with 1 publisher so far, 6 expected.
        assert!((headroom(100, 1.0, 6.0, 0.0015) - 0.75).abs() < 1e-9);
    }

    #[test]
    fn a_room_that_has_all_its_streams_reserves_nothing() {
        assert_eq!(headroom(40, 6.0, 6.0, 0.0015), 0.0);
        assert_eq!(headroom(40, 7.0, 6.0, 0.0015), 0.0);
    }
}
