//! Where each member connects from.
//!
//! A room that guards against idle connections limits how many unnamed connections one address
//! may hold at once (issue 11: thousands of silent connections from one address used to lock
//! everyone out). The bench's members all come from this machine, so from one address they
//! would look like exactly that attack. On Linux the whole of 127.0.0.0/8 is this machine, so
//! by default each member binds its socket to an address of its own before connecting:
//! member 0 from 127.1.0.1, member 1 from 127.1.0.2, and so on (never an address ending in .0
//! or .255). `--single-source` turns this off.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

/// The loopback address member `index` connects from (127.1.0.1 upwards).
pub fn member_address(index: usize) -> Ipv4Addr {
    let host = index % 254 + 1;
    let block = index / 254;
    let third = block % 256;
    let second = (1 + block / 256).min(255);
    Ipv4Addr::new(127, second as u8, third as u8, host as u8)
}

/// Where member `index` connects from: its own loopback address when the server is on IPv4
/// loopback and spreading is on; otherwise wherever the system chooses.
pub fn for_member(server: SocketAddr, index: usize, single_source: bool) -> Option<IpAddr> {
    let spread = !single_source && matches!(server.ip(), IpAddr::V4(ip) if ip.is_loopback());
    spread.then(|| IpAddr::V4(member_address(index)))
}

/// Connects to `server` from `source` (any port), or from wherever the system chooses.
pub fn connect(
    server: SocketAddr,
    source: Option<IpAddr>,
    patience: Duration,
) -> io::Result<TcpStream> {
    let Some(source) = source else {
        return TcpStream::connect_timeout(&server, patience);
    };
    let socket = Socket::new(
        Domain::for_address(server),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    socket.bind(&SocketAddr::new(source, 0).into())?;
    socket.connect_timeout(&server.into(), patience)?;
    Ok(socket.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_member_has_its_own_address_and_none_ends_in_0_or_255() {
        assert_eq!(member_address(0), Ipv4Addr::new(127, 1, 0, 1));
        assert_eq!(member_address(253), Ipv4Addr::new(127, 1, 0, 254));
        assert_eq!(member_address(254), Ipv4Addr::new(127, 1, 1, 1));
        assert_eq!(member_address(254 * 256), Ipv4Addr::new(127, 2, 0, 1));
        let addresses: std::collections::HashSet<Ipv4Addr> =
            (0..100_000).map(member_address).collect();
        assert_eq!(addresses.len(), 100_000);
        assert!(
            addresses
                .iter()
                .all(|ip| ip.is_loopback() && ![0, 255].contains(&ip.octets()[3]))
        );
    }

    #[test]
    fn only_an_ipv4_loopback_server_gets_spread_members() {
        let v4: SocketAddr = "127.0.0.1:9090".parse().unwrap();
        let v6: SocketAddr = "[::1]:9090".parse().unwrap();
        assert_eq!(
            for_member(v4, 2, false),
            Some(IpAddr::V4(Ipv4Addr::new(127, 1, 0, 3)))
        );
        assert_eq!(for_member(v4, 2, true), None);
        assert_eq!(for_member(v6, 2, false), None);
    }

    #[test]
    fn a_connection_comes_from_the_address_asked_for() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let server = listener.local_addr().unwrap();
        let source = IpAddr::V4(member_address(41));
        let _stream = connect(server, Some(source), Duration::from_secs(5)).unwrap();
        let (_, peer) = listener.accept().unwrap();
        assert_eq!(peer.ip(), source);
    }
}
