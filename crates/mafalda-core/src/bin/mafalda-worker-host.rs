//! `mafalda-worker-host`: one mediasoup worker in a process of its own, serving its
//! objects to the pool that started it over the channel on `--channel-fd` (see
//! `serve::over_channel`). Started by mafalda-sfu's pool, never by hand.

fn main() {
    let mut args = std::env::args().skip(1);
    let fd = match (args.next().as_deref(), args.next()) {
        (Some("--channel-fd"), Some(fd)) => fd.parse().ok(),
        _ => None,
    };
    let Some(fd) = fd else {
        eprintln!("usage: mafalda-worker-host --channel-fd <fd> (it runs a mediasoup worker for mafalda-sfu, which starts it)");
        std::process::exit(2);
    };
    std::process::exit(mafalda_core::serve::over_channel::run(fd));
}
