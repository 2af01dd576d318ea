//! `Agent`: the objects hosted here for owners elsewhere, named in calls by their
//! handles here, and the dispatch of the calls on them.

use crate::backing::protocol::Call;
use crate::error::{invalid_state, type_error, unsupported, MafaldaError, Result};
use crate::router::data_consumer::message_from_ppid;
use crate::router::{MafaldaRouter, ObserverKind, RouterInner, TransportKind};
use crate::serve::hosted::{Entry, Hosted};
use crate::serve::Serving;
use crate::{shapes, MafaldaTransport, MafaldaWebRtcServer};
use mediasoup::prelude::{ListenInfo, RtpCodecCapability};
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

#[derive(Default)]
pub struct Agent {
    hosted: Mutex<HashMap<u64, Entry>>,
}

fn ok_created(handle: u64, id: String, data: Value) -> Value {
    json!({ "handle": handle, "id": id, "data": data })
}

fn unknown(op: &str) -> MafaldaError {
    type_error(format!("unknown call {op}"))
}

/// The PPID a message travels with (mediasoup's WebRTC PPIDs).
fn ppid(args: &Value) -> Result<u32> {
    args["ppid"].as_u64().filter(|p| *p <= u32::MAX as u64).map(|p| p as u32).ok_or_else(|| type_error("missing ppid"))
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

    /// The getter state of hosted object `handle` after event `name`, for events that
    /// change what its getters answer (see `RemoteEvent::state`).
    pub fn state_after(&self, handle: u64, name: &str) -> Option<Value> {
        const CHANGES_GETTERS: &[&str] = &[
            "icestatechange", "iceselectedtuplechange", "dtlsstatechange", "sctpstatechange", "tuple", "rtcptuple",
            "layerschange", "producerpause", "producerresume",
        ];
        if !CHANGES_GETTERS.contains(&name) {
            return None;
        }
        let object = self.hosted.lock().get(&handle).map(|e| e.object.clone())?;
        match object {
            Hosted::Transport(t) => t.data().ok(),
            Hosted::Consumer(c) => c.data().ok(),
            _ => None,
        }
    }

    /// The owner is lost: close everything hosted for it, so nothing is orphaned.
    pub fn owner_lost(&self, owner: &str) -> usize {
        let gone: Vec<Hosted> = {
            let mut hosted = self.hosted.lock();
            let handles: Vec<u64> = hosted.iter().filter(|(_, e)| e.owner == owner).map(|(h, _)| *h).collect();
            handles.iter().filter_map(|h| hosted.remove(h)).map(|e| e.object).collect()
        };
        let mut routers = 0;
        for object in gone {
            match object {
                Hosted::Router(r) => {
                    routers += 1;
                    r.close();
                }
                Hosted::WebRtcServer(s) => s.close(),
                _ => {}
            }
        }
        routers
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

    fn get_for(&self, op: &str, handle: u64, owner: &str) -> Result<Hosted> {
        let hosted = self.hosted.lock();
        let entry = hosted.get(&handle).ok_or_else(|| invalid_state(format!("{op}: no such object on this node (closed?)")))?;
        if entry.owner != owner {
            return Err(type_error(format!("{op}: object owned by another node")));
        }
        Ok(entry.object.clone())
    }

    fn get(&self, call: &Call) -> Result<Hosted> {
        let handle = call.target.ok_or_else(|| type_error(format!("{}: no target", call.op)))?;
        self.get_for(&call.op, handle, &call.from)
    }

    fn host(&self, owner: &str, handle: u64, object: Hosted) {
        self.hosted.lock().insert(handle, Entry { owner: owner.to_string(), object, since: Instant::now() });
    }

    /// Answers one call from `call.from`; `bytes` is its binary payload, if any.
    pub async fn handle(&self, ctx: &dyn Serving, call: Call, bytes: Option<Vec<u8>>) -> Result<Value> {
        let result = self.dispatch(ctx, &call, bytes).await;
        if call.op.ends_with(".close") {
            self.forget_closed();
        }
        result.map_err(|e| MafaldaError::new(e.kind, e.message))
    }

    /// A call that wants no answer, handled at once so that such calls keep their
    /// order: RTP and messages the owner's app sends through a DirectTransport.
    pub fn notify(&self, call: &Call, bytes: Vec<u8>) -> Result<()> {
        match (self.get(call)?, call.op.as_str()) {
            (Hosted::Producer(p), "producer.send") => p.send(bytes),
            (Hosted::DataProducer(d), "dataProducer.send") => d.send(message_from_ppid(ppid(&call.args)?, bytes)?),
            (Hosted::Transport(t), "transport.sendRtcp") => t.send_rtcp_now(bytes),
            (_, op) => Err(unknown(op)),
        }
    }

    async fn dispatch(&self, ctx: &dyn Serving, call: &Call, bytes: Option<Vec<u8>>) -> Result<Value> {
        let args = call.args.clone();
        match call.op.as_str() {
            "router.create" => return self.create_part(ctx, call).await,
            "worker.createWebRtcServer" => return self.create_webrtc_server(ctx, call).await,
            _ => {}
        }
        match (self.get(call)?, call.op.as_str()) {
            (Hosted::Router(r), op) => self.router_call(ctx, call, r, op, args).await,
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
                _ => Err(unknown(op)),
            },
            (Hosted::Consumer(c), op) => match op {
                "consumer.pause" => c.pause().await.map(|_| Value::Null),
                "consumer.resume" => c.resume().await.map(|_| Value::Null),
                "consumer.requestKeyFrame" => c.request_key_frame().await.map(|_| Value::Null),
                "consumer.setPreferredLayers" => {
                    c.set_preferred_layers(shapes::consumer_layers(&args)?).await?;
                    c.data()
                }
                "consumer.setPriority" => {
                    let priority = args.as_u64().filter(|p| (1..=255).contains(p)).ok_or_else(|| type_error("wrong priority"))?;
                    c.set_priority(priority as u8).await?;
                    c.data()
                }
                "consumer.unsetPriority" => {
                    c.unset_priority().await?;
                    c.data()
                }
                "consumer.dump" => c.dump().await,
                "consumer.getStats" => c.get_stats().await,
                "consumer.enableTraceEvent" => c.enable_trace_event(shapes::parse(&args, "types")?).await.map(|_| Value::Null),
                "consumer.close" => {
                    c.close();
                    Ok(Value::Null)
                }
                _ => Err(unknown(op)),
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
                    _ => Err(unknown(op)),
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
                _ => Err(unknown(op)),
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
                "dataConsumer.send" => {
                    let message = message_from_ppid(ppid(&args)?, bytes.unwrap_or_default())?;
                    d.send(message).await.map(|_| Value::Null)
                }
                "dataConsumer.close" => {
                    d.close();
                    Ok(Value::Null)
                }
                _ => Err(unknown(op)),
            },
            (Hosted::WebRtcServer(s), op) => match op {
                "webRtcServer.dump" => s.dump().await,
                "webRtcServer.close" => {
                    s.close();
                    Ok(Value::Null)
                }
                _ => Err(unknown(op)),
            },
        }
    }

    async fn router_call(&self, ctx: &dyn Serving, call: &Call, r: MafaldaRouter, op: &str, args: Value) -> Result<Value> {
        match op {
            "router.createWebRtcTransport" | "router.createPlainTransport" | "router.createPipeTransport" | "router.createDirectTransport" => {
                let kind = match op {
                    "router.createWebRtcTransport" => TransportKind::WebRtc,
                    "router.createPlainTransport" => TransportKind::Plain,
                    "router.createPipeTransport" => TransportKind::Pipe,
                    _ => TransportKind::Direct,
                };
                let mut options = args;
                // A WebRtcServer hosted here for the same owner, named by its handle.
                let server = match options.as_object_mut().and_then(|o| o.remove("webRtcServer")) {
                    Some(handle) => match handle.as_u64().map(|h| self.get_for(op, h, &call.from)) {
                        Some(Ok(Hosted::WebRtcServer(server))) => Some(server),
                        Some(Err(e)) => return Err(e),
                        _ => return Err(type_error(format!("{op}: webRtcServer is not a WebRtcServer here"))),
                    },
                    None => None,
                };
                if kind != TransportKind::Direct {
                    ctx.localize(&mut options);
                }
                let transport = r.create_transport_json(kind, options, server).await?;
                let data = transport.data()?;
                self.host(&call.from, transport.handle(), Hosted::Transport(transport.clone()));
                Ok(ok_created(transport.handle(), transport.id(), data))
            }
            "router.createAudioLevelObserver" | "router.createActiveSpeakerObserver" => {
                let kind = if op == "router.createAudioLevelObserver" { ObserverKind::AudioLevel } else { ObserverKind::ActiveSpeaker };
                let observer = r.create_observer_json(kind, args).await?;
                self.host(&call.from, observer.handle(), Hosted::Observer(observer.clone()));
                Ok(ok_created(observer.handle(), observer.id(), Value::Null))
            }
            "router.dump" => r.dump().await,
            "router.close" => {
                r.close();
                Ok(Value::Null)
            }
            _ => Err(unknown(op)),
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
            _ => Err(unknown(op)),
        }
    }

    async fn create_part(&self, ctx: &dyn Serving, call: &Call) -> Result<Value> {
        let codecs: Vec<RtpCodecCapability> = shapes::parse(&call.args["mediaCodecs"], "mediaCodecs")?;
        let owner = call.from.clone();
        let router = MafaldaRouter::create(ctx.pool().clone(), ctx.events_for(&owner), codecs, Box::new(|_| {})).await?;
        let rtp_capabilities = serde_json::to_value(router.rtp_capabilities()).unwrap_or_default();
        self.host(&owner, router.handle(), Hosted::Router(router.clone()));
        Ok(json!({ "handle": router.handle(), "id": router.id(), "rtpCapabilities": rtp_capabilities }))
    }

    /// mediasoup's `worker.createWebRtcServer()` here; `listenInfos` in the crate's
    /// own serialization (the owner has read the app's already).
    async fn create_webrtc_server(&self, ctx: &dyn Serving, call: &Call) -> Result<Value> {
        let infos: Vec<ListenInfo> = serde_json::from_value(call.args["listenInfos"].clone())
            .map_err(|e| type_error(format!("worker.createWebRtcServer: wrong listenInfos ({e})")))?;
        if infos.is_empty() {
            return Err(unsupported("worker.createWebRtcServer: no listenInfos"));
        }
        let server = MafaldaWebRtcServer::create(ctx.pool().clone(), infos).await?;
        self.host(&call.from, server.handle(), Hosted::WebRtcServer(server.clone()));
        Ok(ok_created(server.handle(), server.id().to_string(), Value::Null))
    }
}
