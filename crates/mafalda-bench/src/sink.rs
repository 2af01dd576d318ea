//! A UDP socket that accepts datagrams and drops them in the kernel (a socket filter
//! that keeps nothing): the destination of the subscribers we do not watch. The worker
//! still sends every packet to a live socket on 127.0.0.1, but no thread of ours spends
//! CPU receiving it, which leaves this small machine's cores to the workers.

use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;

pub struct Sink {
    socket: UdpSocket,
}

impl Sink {
    pub fn open() -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind sink socket");
        // Classic BPF: one instruction, "return 0" = keep 0 bytes = drop.
        let mut drop_all = [libc::sock_filter { code: 0x06, jt: 0, jf: 0, k: 0 }];
        let program = libc::sock_fprog { len: 1, filter: drop_all.as_mut_ptr() };
        // SAFETY: the program points at a live one-instruction filter; the kernel copies it.
        let attached = unsafe {
            libc::setsockopt(
                socket.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_ATTACH_FILTER,
                (&program as *const libc::sock_fprog).cast(),
                std::mem::size_of::<libc::sock_fprog>() as u32,
            )
        };
        assert_eq!(attached, 0, "attach the drop-all socket filter");
        Self { socket }
    }

    pub fn address(&self) -> SocketAddr {
        self.socket.local_addr().expect("sink address")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_sink_receives_nothing() {
        let sink = Sink::open();
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        sender.send_to(b"rtp", sink.address()).unwrap();
        sink.socket.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        assert!(sink.socket.recv(&mut [0u8; 16]).is_err());
    }
}
