//! The serving side: router parts this node hosts for routers owned by other nodes,
//! and the calls it answers on their objects.
//!
//! A part is an ordinary `MafaldaRouter` of this node (its own pool places and pipes
//! inside it); its objects are named in calls by their handles here, and their
//! events go to the owner's events subject. Calls speak mediasoup's JSON shapes,
//! parsed by the same `shapes` as the napi binding, so a call here behaves as the
//! same call from JS would.

use crate::cluster::addresses::localize;
use crate::cluster::protocol::{events_of, Call, RemoteEvent};
use crate::cluster::Cluster;
use crate::error::{type_error, MafaldaError, Result};
use crate::events::EventSink;
use crate::router::{MafaldaRouter, ObserverKind, RouterInner, TransportKind};
use crate::{shapes, MafaldaConsumer, MafaldaDataConsumer, MafaldaDataProducer, MafaldaProducer, MafaldaRtpObserver, MafaldaTransport};
use mediasoup::prelude::RtpCodecCapability;
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone)]
enum Hosted {
    Router(MafaldaRouter),
    Transport(MafaldaTransport),
    Producer(MafaldaProducer),
    Consumer(MafaldaConsumer),
    Observer(MafaldaRtpObserver),
    DataProducer(MafaldaDataProducer),
    DataConsumer(MafaldaDataConsumer),
}

impl Hosted {
    fn closed(&self) -> bool {
        match self {
            Hosted::Router(r) => r.closed(),
            Hosted::Transport(t) => t.closed(),
            Hosted::Producer(p) => p.closed(),
            Hosted::Consumer(c) => c.closed(),
            Hosted::Observer(o) => o.closed(),
            Hosted::DataProducer(d) => d.closed(),
            Hosted::DataConsumer(d) => d.closed(),
        }
    }
}

struct Entry {
    owner: String,
    object: Hosted,
    since: Instant,
}

#[derive(Default)]
pub struct Agent {
    hosted: Mutex<HashMap<u64, Entry>>,
}

fn ok_created(handle: u64, id: String, data: Value) -> Value {
    json!({ "handle": handle, "id": id, "data": data })
}

impl Agent {
    /// Routers hosted here, for the pool's worker-death path.
    pub(crate) fn routers(&self) -> Vec<Arc<RouterInner>> {
        self.hosted
            .lock()
            .values()
            .filter_map(|e| match &e.object {
                Hosted::Router(r) => Some(r.inner.clone()),
                _ => None,
            })
            .collect()
    }

    /// The owner is lost: close everything hosted for it, so nothing is orphaned.
    pub fn owner_lost(&self, owner: &str) -> usize {
        let routers: Vec<MafaldaRouter> = {
            let mut hosted = self.hosted.lock();
            let gone: Vec<u64> = hosted.iter().filter(|(_, e)| e.owner == owner).map(|(h, _)| *h).collect();
            gone.iter()
                .filter_map(|h| hosted.remove(h))
                .filter_map(|e| match e.object {
                    Hosted::Router(r) => Some(r),
                    _ => None,
                })
                .collect()
        };
        let count = routers.len();
        for router in routers {
            router.close();
        }
        count
    }

    /// Owners that never appeared in the node table within `grace` (their first
    /// heartbeat raced their first call, or they died at once).
    pub fn owners_older_than(&self, grace: std::time::Duration) -> Vec<String> {
        let mut owners: Vec<String> =
            self.hosted.lock().values().filter(|e| e.since.elapsed() > grace).map(|e| e.owner.clone()).collect();
        owners.sort();
        owners.dedup();
        owners
    }

    fn forget_closed(&self) {
        self.hosted.lock().retain(|_, e| !e.object.closed());
    }

    fn get(&self, call: &Call) -> Result<Hosted> {
        let handle = call.target.ok_or_else(|| type_error(format!("{}: no target", call.op)))?;
        let hosted = self.hosted.lock();
        let entry = hosted.get(&handle).ok_or_else(|| crate::error::invalid_state(format!("{}: no such object on this node (closed?)", call.op)))?;
        if entry.owner != call.from {
            return Err(type_error(format!("{}: object owned by another node", call.op)));
        }
        Ok(entry.object.clone())
    }

    fn host(&self, owner: &str, handle: u64, object: Hosted) {
        self.hosted.lock().insert(handle, Entry { owner: owner.to_string(), object, since: Instant::now() });
    }

    /// Answers one call from node `call.from`.
    pub async fn handle(&self, cluster: &Arc<Cluster>, call: Call) -> Result<Value> {
        let result = self.dispatch(cluster, &call).await;
        if call.op.ends_with(".close") {
            self.forget_closed();
        }
        result.map_err(|e| MafaldaError::new(e.kind, e.message))
    }

    async fn dispatch(&self, cluster: &Arc<Cluster>, call: &Call) -> Result<Value> {
        let args = call.args.clone();
        if call.op == "router.create" {
            return self.create_part(cluster, call).await;
        }
        let object = self.get(call)?;
        let me = &cluster.options;
        let (listen_ip, announced) = (me.listen_ip.to_string(), me.announced_address.clone());
        match (object, call.op.as_str()) {
            (Hosted::Router(r), "router.createWebRtcTransport" | "router.createPlainTransport" | "router.createPipeTransport") => {
                let kind = match call.op.as_str() {
                    "router.createWebRtcTransport" => TransportKind::WebRtc,
                    "router.createPlainTransport" => TransportKind::Plain,
                    _ => TransportKind::Pipe,
                };
                let mut options = args;
                localize(&mut options, &listen_ip, &announced);
                let transport = r.create_transport_json(kind, options, None).await?;
                let data = transport.data()?;
                self.host(&call.from, transport.handle(), Hosted::Transport(transport.clone()));
                Ok(ok_created(transport.handle(), transport.id(), data))
            }
            (Hosted::Router(r), "router.createAudioLevelObserver" | "router.createActiveSpeakerObserver") => {
                let kind = if call.op == "router.createAudioLevelObserver" { ObserverKind::AudioLevel } else { ObserverKind::ActiveSpeaker };
                let observer = r.create_observer_json(kind, args).await?;
                self.host(&call.from, observer.handle(), Hosted::Observer(observer.clone()));
                Ok(ok_created(observer.handle(), observer.id(), Value::Null))
            }
            (Hosted::Router(r), "router.dump") => r.dump().await,
            (Hosted::Router(r), "router.close") => {
                r.close();
                Ok(Value::Null)
            }
            (Hosted::Transport(t), op) => self.transport_call(call, t, op, args).await,
            (Hosted::Producer(p), op) => match op {
                "producer.pause" => p.pause().await.map(|_| Value::Null),
                "producer.resume" => p.resume().await.map(|_| Value::Null),
                "producer.dump" => p.dump().await,
                "producer.getStats" => p.get_stats().await,
                "producer.enableTraceEvent" => p.enable_trace_event(shapes::parse(&args, "types")?).await.map(|_| Value::Null),
                "producer.close" => {
                    p.close();
                    Ok(Value::Null)
                }
                _ => Err(type_error(format!("unknown call {op}"))),
            },
            (Hosted::Consumer(c), op) => match op {
                "consumer.pause" => c.pause().await.map(|_| Value::Null),
                "consumer.resume" => c.resume().await.map(|_| Value::Null),
                "consumer.requestKeyFrame" => c.request_key_frame().await.map(|_| Value::Null),
                "consumer.setPreferredLayers" => c.set_preferred_layers(shapes::consumer_layers(&args)?).await.map(|_| Value::Null),
                "consumer.setPriority" => {
                    let priority = args.as_u64().filter(|p| (1..=255).contains(p)).ok_or_else(|| type_error("wrong priority"))?;
                    c.set_priority(priority as u8).await.map(|_| Value::Null)
                }
                "consumer.unsetPriority" => c.unset_priority().await.map(|_| Value::Null),
                "consumer.dump" => c.dump().await,
                "consumer.getStats" => c.get_stats().await,
                "consumer.enableTraceEvent" => c.enable_trace_event(shapes::parse(&args, "types")?).await.map(|_| Value::Null),
                "consumer.close" => {
                    c.close();
                    Ok(Value::Null)
                }
                _ => Err(type_error(format!("unknown call {op}"))),
            },
            (Hosted::Observer(o), op) => {
                let producer = || shapes::parse(&args["producerId"], "producerId");
                match op {
                    "rtpObserver.pause" => o.pause().await.map(|_| Value::Null),
                    "rtpObserver.resume" => o.resume().await.map(|_| Value::Null),
                    "rtpObserver.addProducer" => o.add_producer(producer()?).await.map(|_| Value::Null),
                    "rtpObserver.removeProducer" => o.remove_producer(producer()?).await.map(|_| Value::Null),
                    "rtpObserver.close" => {
                        o.close();
                        Ok(Value::Null)
                    }
                    _ => Err(type_error(format!("unknown call {op}"))),
                }
            }
            (Hosted::DataProducer(d), op) => match op {
                "dataProducer.pause" => d.pause().await.map(|_| Value::Null),
                "dataProducer.resume" => d.resume().await.map(|_| Value::Null),
                "dataProducer.dump" => d.dump().await,
                "dataProducer.getStats" => d.get_stats().await,
                "dataProducer.close" => {
                    d.close();
                    Ok(Value::Null)
                }
                _ => Err(type_error(format!("unknown call {op}"))),
            },
            (Hosted::DataConsumer(d), op) => match op {
                "dataConsumer.pause" => d.pause().await.map(|_| Value::Null),
                "dataConsumer.resume" => d.resume().await.map(|_| Value::Null),
                "dataConsumer.dump" => d.dump().await,
                "dataConsumer.getStats" => d.get_stats().await,
                "dataConsumer.getBufferedAmount" => d.get_buffered_amount().await.map(|a| json!(a)),
                "dataConsumer.setBufferedAmountLowThreshold" => {
                    let threshold = args.as_u64().filter(|t| *t <= u32::MAX as u64).ok_or_else(|| type_error("wrong threshold"))?;
                    d.set_buffered_amount_low_threshold(threshold as u32).await.map(|_| Value::Null)
                }
                "dataConsumer.close" => {
                    d.close();
                    Ok(Value::Null)
                }
                _ => Err(type_error(format!("unknown call {op}"))),
            },
            (_, op) => Err(type_error(format!("unknown call {op}"))),
        }
    }

    async fn transport_call(&self, call: &Call, t: MafaldaTransport, op: &str, args: Value) -> Result<Value> {
        let bitrate = |args: &Value| args.as_u64().ok_or_else(|| type_error("bitrate must be a number"));
        match op {
            "transport.connect" => t.connect_json(args).await,
            "transport.produce" => {
                let producer = t.produce_json(args).await?;
                let data = producer.data()?;
                self.host(&call.from, producer.handle(), Hosted::Producer(producer.clone()));
                Ok(ok_created(producer.handle(), producer.id(), data))
            }
            "transport.consume" => {
                let consumer = t.consume_json(args).await?;
                let data = consumer.data()?;
                self.host(&call.from, consumer.handle(), Hosted::Consumer(consumer.clone()));
                Ok(ok_created(consumer.handle(), consumer.id(), data))
            }
            "transport.produceData" => {
                let data_producer = t.produce_data_json(args).await?;
                let data = data_producer.data()?;
                self.host(&call.from, data_producer.handle(), Hosted::DataProducer(data_producer.clone()));
                Ok(ok_created(data_producer.handle(), data_producer.id(), data))
            }
            "transport.consumeData" => {
                let data_consumer = t.consume_data_json(args).await?;
                let data = data_consumer.data()?;
                self.host(&call.from, data_consumer.handle(), Hosted::DataConsumer(data_consumer.clone()));
                Ok(ok_created(data_consumer.handle(), data_consumer.id(), data))
            }
            "transport.dump" => t.dump().await,
            "transport.getStats" => t.get_stats().await,
            "transport.restartIce" => t.restart_ice().await,
            "transport.setMaxIncomingBitrate" => t.set_max_incoming_bitrate(bitrate(&args)?).await.map(|_| Value::Null),
            "transport.setMaxOutgoingBitrate" => t.set_max_outgoing_bitrate(bitrate(&args)?).await.map(|_| Value::Null),
            "transport.setMinOutgoingBitrate" => t.set_min_outgoing_bitrate(bitrate(&args)?).await.map(|_| Value::Null),
            "transport.enableTraceEvent" => t.enable_trace_event(shapes::parse(&args, "types")?).await.map(|_| Value::Null),
            "transport.close" => {
                t.close();
                Ok(Value::Null)
            }
            _ => Err(type_error(format!("unknown call {op}"))),
        }
    }

    async fn create_part(&self, cluster: &Arc<Cluster>, call: &Call) -> Result<Value> {
        let codecs: Vec<RtpCodecCapability> = shapes::parse(&call.args["mediaCodecs"], "mediaCodecs")?;
        let owner = call.from.clone();
        let link = cluster.link.clone();
        let me = cluster.options.node_id.clone();
        let subject = events_of(&owner);
        // Events of the part's objects go to the owner (binary ones, RTP of direct
        // transports, do not cross nodes).
        let sink = EventSink::new(move |event| {
            if event.bytes.is_none() {
                let body = RemoteEvent { from: me.clone(), target: event.target, name: event.name.to_string(), data: event.data };
                link.publish(subject.clone(), &body);
            }
        });
        let router = MafaldaRouter::create(cluster.pool.clone(), sink, codecs, Box::new(|_| {})).await?;
        let rtp_capabilities = serde_json::to_value(router.rtp_capabilities()).unwrap_or_default();
        self.host(&owner, router.handle(), Hosted::Router(router.clone()));
        Ok(json!({ "handle": router.handle(), "id": router.id(), "rtpCapabilities": rtp_capabilities }))
    }
}
