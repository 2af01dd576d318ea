//! `router.canConsume()` for a producer of another node, whose mediasoup router is
//! not here to ask: its consumable codecs against the consumer's capabilities, with
//! the rules that matter for mediasoup's codecs (mime type, clock rate, channels;
//! H264's packetization mode and profile). RTX and FEC codecs do not count.

use mediasoup::prelude::RtpCapabilities;
use serde_json::Value;

fn is_media(mime: &str) -> bool {
    let sub = mime.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
    !matches!(sub.as_str(), "rtx" | "ulpfec" | "flexfec" | "red")
}

fn h264_profile(params: &Value) -> Option<String> {
    // The first two bytes of profile-level-id name the profile; the level may differ.
    params["profile-level-id"].as_str().map(|p| p.get(..4).unwrap_or(p).to_ascii_lowercase())
}

pub fn can_consume(consumable: &Value, capabilities: &RtpCapabilities) -> bool {
    let Some(codecs) = consumable["codecs"].as_array() else { return false };
    let caps = serde_json::to_value(&capabilities.codecs).unwrap_or_default();
    let caps = caps.as_array().cloned().unwrap_or_default();
    codecs.iter().filter(|c| c["mimeType"].as_str().is_some_and(is_media)).any(|codec| {
        caps.iter().any(|cap| {
            let mime = |v: &Value| v["mimeType"].as_str().map(str::to_ascii_lowercase);
            let channels = |v: &Value| v["channels"].as_u64().unwrap_or(1);
            if mime(codec) != mime(cap) || codec["clockRate"] != cap["clockRate"] || channels(codec) != channels(cap) {
                return false;
            }
            if mime(codec).as_deref() == Some("video/h264") {
                let (p, q) = (&codec["parameters"], &cap["parameters"]);
                let mode = |v: &Value| v["packetization-mode"].as_u64().unwrap_or(0);
                return mode(p) == mode(q) && h264_profile(p) == h264_profile(q);
            }
            true
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_matching_media_codec_is_needed_and_rtx_does_not_count() {
        let consumable = json!({ "codecs": [
            { "mimeType": "video/VP8", "clockRate": 90000, "payloadType": 101 },
            { "mimeType": "video/rtx", "clockRate": 90000, "payloadType": 102 }
        ] });
        let caps = |codecs: Value| -> RtpCapabilities { serde_json::from_value(json!({ "codecs": codecs, "headerExtensions": [] })).unwrap() };
        assert!(can_consume(&consumable, &caps(json!([{ "kind": "video", "mimeType": "video/VP8", "clockRate": 90000, "preferredPayloadType": 100, "rtcpFeedback": [], "parameters": {} }]))));
        assert!(!can_consume(&consumable, &caps(json!([{ "kind": "video", "mimeType": "video/rtx", "clockRate": 90000, "preferredPayloadType": 100, "rtcpFeedback": [], "parameters": {} }]))));
        assert!(!can_consume(&consumable, &caps(json!([]))));
    }
}
