//! Data producers and consumers (SCTP or direct).

use crate::error::Result;
use crate::shapes::*;
use mediasoup::prelude::*;
use serde_json::Value;

pub fn produce_data(value: &Value, direct: bool) -> Result<DataProducerOptions> {
    let o = object(value, "options")?;
    let mut options = if direct {
        DataProducerOptions::new_direct()
    } else {
        let params: SctpStreamParameters = parse(required(o, "sctpStreamParameters")?, "sctpStreamParameters")?;
        DataProducerOptions::new_sctp(params)
    };
    options.label = opt_str(o, "label")?.unwrap_or_default().to_string();
    options.protocol = opt_str(o, "protocol")?.unwrap_or_default().to_string();
    options.paused = opt_bool(o, "paused")?.unwrap_or(false);
    Ok(options)
}

/// The data producer to consume, how, and whether the consumer starts paused.
pub fn consume_data(value: &Value) -> Result<(DataProducerId, DataReliability, bool)> {
    let o = object(value, "options")?;
    let id: DataProducerId = parse(required(o, "dataProducerId")?, "dataProducerId")?;
    let reliability = if let Some(life) = opt_u64(o, "maxPacketLifeTime", 65535)? {
        DataReliability::LifeTime(life as u16)
    } else if let Some(retransmits) = opt_u64(o, "maxRetransmits", 65535)? {
        DataReliability::Retransmits(retransmits as u16)
    } else {
        match opt_bool(o, "ordered")? {
            Some(true) => DataReliability::Ordered,
            Some(false) => DataReliability::Retransmits(0),
            // Inherit the data producer's reliability, as mediasoup does.
            None => DataReliability::AsProducer,
        }
    };
    Ok((id, reliability, opt_bool(o, "paused")?.unwrap_or(false)))
}

/// How a data consumer receives: as the data producer does (default), or with its
/// own SCTP reliability. Ignored on a DirectTransport.
#[derive(Debug, Clone, Copy, Default)]
pub enum DataReliability {
    #[default]
    AsProducer,
    Ordered,
    LifeTime(u16),
    Retransmits(u16),
}

impl DataReliability {
    pub fn options(self, data_producer_id: DataProducerId, direct: bool) -> DataConsumerOptions {
        if direct {
            return DataConsumerOptions::new_direct(data_producer_id, None);
        }
        match self {
            DataReliability::AsProducer => DataConsumerOptions::new_sctp(data_producer_id),
            DataReliability::Ordered => DataConsumerOptions::new_sctp_ordered(data_producer_id),
            DataReliability::LifeTime(ms) => DataConsumerOptions::new_sctp_unordered_with_life_time(data_producer_id, ms),
            DataReliability::Retransmits(n) => DataConsumerOptions::new_sctp_unordered_with_retransmits(data_producer_id, n),
        }
    }
}
