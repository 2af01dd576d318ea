//! Worker processes (the host binary of this crate): RTP from a producer in one to a
//! consumer in another, through a pipe made by calls to both hosts; and the death of
//! one host (kill -9), which closes what lived there and nothing else.

use mafalda_core::router::TransportKind;
use mafalda_core::{shapes, Event, EventSink, Mafalda, MafaldaRouter, MafaldaTransport, PoolOptions, Policy, WorkerBacking};
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::net::UdpSocket;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn pool(max_workers: usize) -> PoolOptions {
    PoolOptions {
        backing: WorkerBacking::Process(PathBuf::from(env!("CARGO_BIN_EXE_mafalda-worker-host"))),
        max_workers: Some(max_workers),
        policy: Policy::Spread,
        sample_interval: Duration::from_millis(100),
        ..PoolOptions::default()
    }
}

/// Every event of a `Mafalda`, as (target handle, name, data).
fn recorder() -> (EventSink, Arc<Mutex<Vec<(u64, &'static str, Value)>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let kept = events.clone();
    (EventSink::new(move |e: Event| kept.lock().push((e.target, e.name, e.data))), events)
}

async fn plain(router: &MafaldaRouter, comedia: bool) -> MafaldaTransport {
    let options = json!({ "listenInfo": { "ip": "127.0.0.1" }, "rtcpMux": true, "comedia": comedia });
    router.create_transport_json(TransportKind::Plain, options, None).await.unwrap()
}

fn rtp_packet(seq: u16, ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, 111];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 960).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&[0xab; 40]);
    p
}

/// Sends opus RTP to `send`'s port and counts what `sink` gets with `ssrc`.
fn count_forwarded(send: &MafaldaTransport, sink: &UdpSocket, ssrc: u32, wanted: usize) -> usize {
    let source = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{}", send.data().unwrap()["tuple"]["localPort"]);
    sink.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let (mut received, mut seq, mut buf) = (0, 0u16, [0u8; 1500]);
    let started = Instant::now();
    while received < wanted && started.elapsed() < Duration::from_secs(10) {
        for _ in 0..5 {
            seq += 1;
            source.send_to(&rtp_packet(seq, 7777), &target).unwrap();
        }
        while let Ok(n) = sink.recv(&mut buf) {
            if n >= 12 && !(192..=223).contains(&buf[1]) && u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]) == ssrc {
                received += 1;
            }
        }
    }
    received
}

/// A producer on one worker process and its consumer on the other, delivering to a sink.
async fn piped_pair(router: &MafaldaRouter) -> (MafaldaTransport, MafaldaTransport, mafalda_core::MafaldaConsumer, UdpSocket, u32) {
    let send = plain(router, true).await;
    let recv = plain(router, false).await;
    let producer = send
        .produce_json(json!({
            "kind": "audio",
            "rtpParameters": {
                "codecs": [{ "mimeType": "audio/opus", "payloadType": 111, "clockRate": 48000, "channels": 2 }],
                "encodings": [{ "ssrc": 7777 }]
            }
        }))
        .await
        .unwrap();
    let sink = UdpSocket::bind("127.0.0.1:0").unwrap();
    recv.connect_json(json!({ "ip": "127.0.0.1", "port": sink.local_addr().unwrap().port() })).await.unwrap();
    let caps = serde_json::to_value(router.rtp_capabilities()).unwrap();
    let consumer = recv.consume_json(json!({ "producerId": producer.id(), "rtpCapabilities": caps })).await.unwrap();
    let ssrc = consumer.data().unwrap()["rtpParameters"]["encodings"][0]["ssrc"].as_u64().unwrap() as u32;
    (send, recv, consumer, sink, ssrc)
}

async fn worker_pids(mafalda: &Mafalda) -> Vec<u64> {
    let dump = mafalda.dump().await.unwrap();
    dump["workers"].as_array().unwrap().iter().map(|w| w["pid"].as_u64().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtp_crosses_from_one_worker_process_to_another() {
    let mafalda = Mafalda::new(pool(2), EventSink::noop()).unwrap();
    let router = mafalda.create_router(shapes::media_codecs(&json!([{ "kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2 }])).unwrap()).await.unwrap();
    let (send, recv, consumer, sink, ssrc) = piped_pair(&router).await;
    assert_ne!(send.worker_id(), recv.worker_id());
    assert!(consumer.piped());
    let pids = worker_pids(&mafalda).await;
    assert_eq!(pids.len(), 2);
    assert!(pids.iter().all(|pid| *pid != u64::from(std::process::id())), "{pids:?} are child processes");
    assert!(count_forwarded(&send, &sink, ssrc, 20) >= 20, "RTP crossed the pipe between the two hosts");
    consumer.close();
    let dump = mafalda.dump().await.unwrap();
    let pipes: usize = dump["workers"].as_array().unwrap().iter().map(|w| w["pipes"].as_array().unwrap().len()).sum();
    assert_eq!(pipes, 0, "the last consumer closed the pipe");
    mafalda.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_process_closes_what_lived_there_and_the_router_goes_on() {
    let (events, recorded) = recorder();
    let mafalda = Mafalda::new(pool(2), events).unwrap();
    let router = mafalda.create_router(shapes::media_codecs(&json!([{ "kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2 }])).unwrap()).await.unwrap();
    let (send, recv, consumer, sink, ssrc) = piped_pair(&router).await;
    assert!(count_forwarded(&send, &sink, ssrc, 5) >= 5);
    let dump = mafalda.dump().await.unwrap();
    let victim = send.worker_id().unwrap();
    let pid = dump["workers"].as_array().unwrap().iter().find(|w| w["id"] == victim.as_str()).unwrap()["pid"].as_i64().unwrap();

    // SAFETY: kill has no memory effects; the pid is a child of this process.
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };

    let named = |handle: u64, name: &str| recorded.lock().iter().any(|(h, n, _)| *h == handle && *n == name);
    let started = Instant::now();
    while !(named(send.handle(), "routerclose") && named(consumer.handle(), "producerclose")) && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(named(send.handle(), "routerclose"), "the transport on the dead worker: routerclose");
    assert!(named(consumer.handle(), "producerclose"), "the consumer of its producer elsewhere: producerclose");
    let died = recorded.lock().iter().find(|(h, n, _)| *h == mafalda.handle() && *n == "workerdied").map(|(_, _, d)| d.clone()).unwrap();
    assert_eq!(died["pid"], json!(pid));
    assert_eq!(died["reason"], json!(format!("[pid:{pid}, code:null, signal:SIGKILL]")));
    assert!(send.closed() && consumer.closed() && !recv.closed() && !router.closed());

    // The router carries on: a new pair across the surviving worker and a fresh one.
    let (send, _recv, _consumer, sink, ssrc) = piped_pair(&router).await;
    assert!(count_forwarded(&send, &sink, ssrc, 10) >= 10);
    assert!(!worker_pids(&mafalda).await.contains(&(pid as u64)));
    mafalda.close();
}
