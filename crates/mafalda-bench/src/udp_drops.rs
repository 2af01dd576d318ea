//! Datagrams the kernel dropped at a full socket buffer, per local UDP port, from
//! /proc/net/udp: tells loss at the worker's input or at our own receivers apart from
//! loss inside the worker.

use std::collections::HashMap;

/// Drops per local port of every IPv4 UDP socket of this network namespace.
pub fn drops_by_port() -> HashMap<u16, u64> {
    let table = std::fs::read_to_string("/proc/net/udp").unwrap_or_default();
    parse(&table)
}

fn parse(table: &str) -> HashMap<u16, u64> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let port = u16::from_str_radix(fields.get(1)?.split(':').nth(1)?, 16).ok()?;
            let drops = fields.last()?.parse().ok()?;
            Some((port, drops))
        })
        .collect()
}

pub fn drops_of(ports: &[u16]) -> u64 {
    let all = drops_by_port();
    ports.iter().filter_map(|p| all.get(p)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_drops_column() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n\
                     1: 0100007F:9C40 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 12345 2 0000000000000000 17\n";
        assert_eq!(parse(table).get(&0x9c40), Some(&17));
    }
}
