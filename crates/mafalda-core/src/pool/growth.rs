//! Growth-aware headroom: the load a room's members on a worker will add once each
//! receives the streams its room is expected to have. A room's load grows after its
//! members are placed (a publisher who joins later adds a stream to every member, and
//! load figures lag a burst of joins), so each worker keeps this much free for the
//! rooms it already hosts (`Candidate::reserved`). The pool and the data-centre
//! simulation both fill it with `headroom`.

use crate::pool::load::{CostModel, Holdings};

/// Load `members` will add when each receives `expected` streams instead of the `now`
/// it receives today, at `stream_cost` (fraction of one core) per received stream.
pub fn headroom(members: usize, now: f64, expected: f64, stream_cost: f64) -> f64 {
    members as f64 * (expected - now).max(0.0) * stream_cost
}

/// The pool's expectation: consumers per transport of its best-served worker (a room's
/// publishers often join after its first members, and consumers follow a transport's
/// creation, so members elsewhere are expected to come to receive as many).
pub fn expected_consumers<'a>(workers: impl Iterator<Item = &'a Holdings>) -> f64 {
    workers.map(consumers_per_transport).fold(0.0, f64::max)
}

/// Headroom a worker holding `h` keeps for its transports to reach `expected` consumers each.
pub fn reserved(h: &Holdings, expected: f64, model: &CostModel) -> f64 {
    headroom(h.transports, consumers_per_transport(h), expected, model.consumer)
}

/// 0 for a worker without transports.
fn consumers_per_transport(h: &Holdings) -> f64 {
    if h.transports == 0 {
        0.0
    } else {
        h.consumers as f64 / h.transports as f64
    }
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
    fn the_pool_reserves_for_transports_that_consume_less_than_the_best_served_worker() {
        let model = CostModel::default();
        let full = Holdings { transports: 10, consumers: 120, ..Holdings::default() };
        let fresh = Holdings { transports: 20, consumers: 40, ..Holdings::default() };
        let expected = expected_consumers([full, fresh, Holdings::default()].iter());
        assert_eq!(expected, 12.0);
        assert_eq!(reserved(&full, expected, &model), 0.0);
        // 20 transports, 2 consumers each, expected to reach 12.
        assert!((reserved(&fresh, expected, &model) - 20.0 * 10.0 * model.consumer).abs() < 1e-9);
        assert_eq!(reserved(&Holdings::default(), expected, &model), 0.0);
    }

    #[test]
    fn a_room_that_has_all_its_streams_reserves_nothing() {
        assert_eq!(headroom(40, 6.0, 6.0, 0.0015), 0.0);
        assert_eq!(headroom(40, 7.0, 6.0, 0.0015), 0.0);
    }
}
