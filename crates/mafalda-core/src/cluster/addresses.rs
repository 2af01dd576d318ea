//! A transport placed on a node listens on that node's `listenIp` and announces its
//! `announcedAddress`: the app cannot know them, so the IP fields of the options it
//! passed are replaced there. Protocols, ports, flags and the rest are kept.

use serde_json::{json, Map, Value};

/// Rewrites `options` (mediasoup's JS shape of any transport's options) in place.
pub fn localize(options: &mut Value, listen_ip: &str, announced_address: &str) {
    let Some(o) = options.as_object_mut() else { return };
    let announce = announced_address != listen_ip;
    let fix = |info: &mut Map<String, Value>| {
        info.insert("ip".into(), json!(listen_ip));
        info.remove("announcedIp");
        if announce {
            info.insert("announcedAddress".into(), json!(announced_address));
        } else {
            info.remove("announcedAddress");
        }
    };
    for key in ["listenInfo", "rtcpListenInfo"] {
        if let Some(Value::Object(info)) = o.get_mut(key) {
            fix(info);
        }
    }
    for key in ["listenInfos", "listenIps"] {
        if let Some(Value::Array(infos)) = o.get_mut(key) {
            for info in infos.iter_mut() {
                if info.is_string() {
                    *info = json!({ "ip": listen_ip });
                }
                if let Value::Object(info) = info {
                    fix(info);
                }
            }
        }
    }
    match o.get_mut("listenIp") {
        Some(Value::Object(info)) => fix(info),
        Some(ip @ Value::String(_)) => *ip = json!(listen_ip),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ips_are_this_node_s_and_everything_else_is_kept() {
        let mut o = json!({
            "listenInfos": [
                { "protocol": "udp", "ip": "0.0.0.0", "announcedAddress": "app.example", "port": 40000 },
                { "protocol": "tcp", "ip": "10.0.0.1", "flags": { "ipv6Only": false } }
            ],
            "enableSctp": true
        });
        localize(&mut o, "127.0.0.3", "203.0.113.7");
        assert_eq!(o, json!({
            "listenInfos": [
                { "protocol": "udp", "ip": "127.0.0.3", "announcedAddress": "203.0.113.7", "port": 40000 },
                { "protocol": "tcp", "ip": "127.0.0.3", "announcedAddress": "203.0.113.7", "flags": { "ipv6Only": false } }
            ],
            "enableSctp": true
        }));
        let mut o = json!({ "listenInfo": { "ip": "1.2.3.4", "announcedIp": "5.6.7.8" }, "rtcpMux": false, "rtcpListenInfo": { "ip": "1.2.3.4" }, "listenIps": ["1.1.1.1"] });
        localize(&mut o, "127.0.0.2", "127.0.0.2");
        assert_eq!(o, json!({ "listenInfo": { "ip": "127.0.0.2" }, "rtcpMux": false, "rtcpListenInfo": { "ip": "127.0.0.2" }, "listenIps": [{ "ip": "127.0.0.2" }] }));
    }
}
