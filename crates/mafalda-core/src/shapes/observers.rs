//! RTP observers: audio level and active speaker.

use crate::error::{type_error, Result};
use crate::shapes::*;
use mediasoup::prelude::*;
use serde_json::Value;
use std::num::NonZeroU16;

pub fn audio_level_observer_options(value: &Value) -> Result<AudioLevelObserverOptions> {
    let o = object(value, "options")?;
    let mut options = AudioLevelObserverOptions::default();
    if let Some(n) = opt_u64(o, "maxEntries", 65535)? {
        options.max_entries = NonZeroU16::new(n as u16).ok_or_else(|| type_error("maxEntries must be at least 1"))?;
    }
    if let Some(t) = field(o, "threshold") {
        let t = t.as_i64().filter(|t| (-127..=0).contains(t)).ok_or_else(|| type_error("threshold must be an integer between -127 and 0"))?;
        options.threshold = t as i8;
    }
    if let Some(i) = opt_u64(o, "interval", 65535)? {
        options.interval = i as u16;
    }
    Ok(options)
}

pub fn active_speaker_observer_options(value: &Value) -> Result<ActiveSpeakerObserverOptions> {
    let o = object(value, "options")?;
    let mut options = ActiveSpeakerObserverOptions::default();
    if let Some(i) = opt_u64(o, "interval", 65535)? {
        options.interval = i as u16;
    }
    Ok(options)
}
