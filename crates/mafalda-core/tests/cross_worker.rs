//! Real workers, real RTP: a producer on one worker, its consumer on another. Worker
//! threads, through the typed (Rust) calls; `worker_processes.rs` does the same
//! across worker processes through the JSON calls.

use mafalda_core::{shapes, EventSink, Mafalda, MafaldaProducer, MafaldaRouter, MafaldaTransport, PoolOptions, Policy, WorkerBacking};
use mafalda_core::router::WebRtcListen;
use serde_json::{json, Value};
use std::net::UdpSocket;
use std::time::{Duration, Instant};

fn opus_codecs() -> Value {
    json!([{ "kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2 }])
}

fn rtp_packet(seq: u16, ssrc: u32, payload_type: u8) -> Vec<u8> {
    let mut p = vec![0x80, payload_type];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 960).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&[0xab; 40]);
    p
}

fn pool(policy: Policy, max_workers: usize) -> PoolOptions {
    PoolOptions {
        backing: WorkerBacking::Thread,
        max_workers: Some(max_workers),
        policy,
        worker_idle_timeout: Duration::from_millis(300),
        sample_interval: Duration::from_millis(100),
        ..PoolOptions::default()
    }
}

/// mediasoup's probation packets (RtpProbationGenerator): not media.
const PROBATION_SSRC: u32 = 1234;
const PROBATION_PAYLOAD_TYPE: u8 = 127;

async fn count_pipes(mafalda: &Mafalda) -> usize {
    let dump = mafalda.dump().await.unwrap();
    dump["workers"].as_array().unwrap().iter().map(|w| w["pipes"].as_array().unwrap().len()).sum()
}

/// Producers piped between workers, over every shard pair.
async fn count_piped_producers(mafalda: &Mafalda) -> usize {
    let dump = mafalda.dump().await.unwrap();
    let pairs = dump["workers"].as_array().unwrap().iter().flat_map(|w| w["pipes"].as_array().unwrap().clone());
    pairs.map(|pair| pair["producerIds"].as_array().unwrap().len()).sum()
}

/// A spread pool of 2 workers with a router and two PlainTransports (127.0.0.1,
/// rtcp-mux), one on each worker: a comedia one to send to, one to connect to a sink.
async fn two_workers() -> (Mafalda, MafaldaRouter, MafaldaTransport, MafaldaTransport) {
    let mafalda = Mafalda::new(pool(Policy::Spread, 2), EventSink::noop()).unwrap();
    let router = mafalda.create_router(shapes::media_codecs(&opus_codecs()).unwrap()).await.unwrap();
    let plain = |comedia: bool| {
        shapes::plain_transport_options(&json!({ "listenInfo": { "ip": "127.0.0.1" }, "rtcpMux": true, "comedia": comedia })).unwrap()
    };
    let send = router.create_plain_transport(plain(true)).await.unwrap();
    let recv = router.create_plain_transport(plain(false)).await.unwrap();
    assert_ne!(send.worker_id(), recv.worker_id(), "spread puts the two transports on two workers");
    (mafalda, router, send, recv)
}

/// An opus producer of `ssrc` (payload type 111) on `transport`.
async fn produce_opus(transport: &MafaldaTransport, ssrc: u32) -> MafaldaProducer {
    transport
        .produce(shapes::produce(&json!({
            "kind": "audio",
            "rtpParameters": {
                "codecs": [{ "mimeType": "audio/opus", "payloadType": 111, "clockRate": 48000, "channels": 2 }],
                "encodings": [{ "ssrc": ssrc }]
            }
        })).unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtp_flows_from_a_producer_on_one_worker_to_a_consumer_on_another() {
    let (mafalda, router, send, recv) = two_workers().await;

    let producer = produce_opus(&send, 1111).await;

    let sink = UdpSocket::bind("127.0.0.1:0").unwrap();
    sink.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    recv.connect_plain(shapes::plain_connect(&json!({ "ip": "127.0.0.1", "port": sink.local_addr().unwrap().port() })).unwrap())
        .await
        .unwrap();
    let caps = serde_json::to_value(router.rtp_capabilities()).unwrap();
    let consumer = recv
        .consume(shapes::consume(&json!({ "producerId": producer.id(), "rtpCapabilities": caps })).unwrap())
        .await
        .unwrap();
    assert!(consumer.piped());
    assert_eq!(count_pipes(&mafalda).await, 1);
    let data = consumer.data().unwrap();
    let ssrc = data["rtpParameters"]["encodings"][0]["ssrc"].as_u64().unwrap() as u32;
    let payload_type = data["rtpParameters"]["codecs"][0]["payloadType"].as_u64().unwrap() as u8;

    let source = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{}", send.data().unwrap()["tuple"]["localPort"]);
    let mut received = 0;
    let started = Instant::now();
    let mut seq = 0u16;
    let mut buf = [0u8; 1500];
    while received < 20 && started.elapsed() < Duration::from_secs(10) {
        for _ in 0..5 {
            seq += 1;
            source.send_to(&rtp_packet(seq, 1111, 111), &target).unwrap();
        }
        while let Ok(n) = sink.recv(&mut buf) {
            assert!(n >= 12);
            if (192..=223).contains(&buf[1]) {
                continue; // RTCP (rtcpMux): sender reports of the consumer
            }
            let packet_ssrc = u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]);
            if packet_ssrc == PROBATION_SSRC && buf[1] & 0x7f == PROBATION_PAYLOAD_TYPE {
                continue; // bandwidth probation of the worker (the capabilities have transport-cc)
            }
            assert_eq!(packet_ssrc, ssrc, "consumer's SSRC");
            assert_eq!(buf[1] & 0x7f, payload_type, "consumer's payload type");
            received += 1;
            if received >= 20 {
                break;
            }
        }
    }
    assert!(received >= 20, "received {received} packets across the pipe");

    consumer.close();
    assert_eq!(count_pipes(&mafalda).await, 0, "the last consumer closed the pipe");
    mafalda.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pack_keeps_small_rooms_on_one_worker_and_idle_workers_are_freed() {
    let mafalda = Mafalda::new(pool(Policy::Pack, 2), EventSink::noop()).unwrap();
    let codecs = shapes::media_codecs(&opus_codecs()).unwrap();
    for _room in 0..2 {
        let router = mafalda.create_router(codecs.clone()).await.unwrap();
        for _participant in 0..4 {
            router
                .create_webrtc_transport(WebRtcListen::Own, |server| {
                    shapes::webrtc_transport_options(&json!({ "listenInfos": [{ "ip": "127.0.0.1" }] }), server)
                })
                .await
                .unwrap();
        }
    }
    let dump = mafalda.dump().await.unwrap();
    assert_eq!(dump["workers"].as_array().unwrap().len(), 1, "{dump:#}");
    for router in mafalda.routers() {
        router.close();
    }
    let started = Instant::now();
    while !mafalda.pool().snapshot().is_empty() && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(mafalda.pool().snapshot().is_empty(), "the idle worker was freed");
    mafalda.close();
}

/// Sends RTP of `ssrc 1111` to `target` until the sink gets a packet of `want` (a
/// consumer's SSRC), or gives up after 10 s. Returns whether it came.
fn rtp_reaches(source: &UdpSocket, target: &str, sink: &UdpSocket, want: u32, seq: &mut u16) -> bool {
    let started = Instant::now();
    let mut buf = [0u8; 1500];
    while started.elapsed() < Duration::from_secs(10) {
        *seq = seq.wrapping_add(1);
        source.send_to(&rtp_packet(*seq, 1111, 111), target).unwrap();
        while let Ok(n) = sink.recv(&mut buf) {
            let rtcp = (192..=223).contains(&buf[1]);
            if n >= 12 && !rtcp && u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]) == want {
                return true;
            }
        }
    }
    false
}

/// Issue 12: the pipe's last consumer goes and a new one comes at once, so the new
/// pipe producer (same id, same worker) is made while the old one's close may still
/// be on its way to the worker. Each round must pipe again, and RTP must cross.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_producer_is_piped_again_right_after_its_last_pipe_closed() {
    let (mafalda, router, send, recv) = two_workers().await;
    let producer = produce_opus(&send, 1111).await;
    // While a second pipe stays, the shard pair's PipeTransports stay open, so each
    // re-pipe is one consume and one produce away from the close, as in a room.
    let other = produce_opus(&send, 2222).await;
    let caps = serde_json::to_value(router.rtp_capabilities()).unwrap();
    let kept = recv.consume(shapes::consume(&json!({ "producerId": other.id(), "rtpCapabilities": caps })).unwrap()).await.unwrap();
    let sink = UdpSocket::bind("127.0.0.1:0").unwrap();
    sink.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
    recv.connect_plain(shapes::plain_connect(&json!({ "ip": "127.0.0.1", "port": sink.local_addr().unwrap().port() })).unwrap())
        .await
        .unwrap();
    let source = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{}", send.data().unwrap()["tuple"]["localPort"]);
    let mut seq = 0u16;
    // Rounds from 100 on without the second pipe: the pair closes with each pipe, and
    // each re-pipe makes a new pair too.
    for round in 0..150 {
        if round == 100 {
            kept.close();
        }
        let consumer = recv
            .consume(shapes::consume(&json!({ "producerId": producer.id(), "rtpCapabilities": caps })).unwrap())
            .await
            .unwrap_or_else(|e| panic!("round {round}: consume failed: {e}"));
        assert!(consumer.piped(), "round {round}");
        assert_eq!(count_piped_producers(&mafalda).await, if round < 100 { 2 } else { 1 }, "round {round}");
        let ssrc = consumer.data().unwrap()["rtpParameters"]["encodings"][0]["ssrc"].as_u64().unwrap() as u32;
        assert!(rtp_reaches(&source, &target, &sink, ssrc, &mut seq), "round {round}: no RTP across the new pipe");
        // The pipe's last user: the next round's consume comes right after.
        consumer.close();
    }
    assert_eq!(count_piped_producers(&mafalda).await, 0, "the last consumer closed the pipe");
    mafalda.close();
}
