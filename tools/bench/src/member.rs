//! One member the plain way, for the hostile measurements (`--slowloris`, `--flood`): a
//! blocking socket that connects, gives its name and waits for its welcome, timed. Two or five
//! members are enough there, and timing each one matters more than scale.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::preset::Preset;
use crate::reader::find;
use crate::source;

/// A member in the room.
pub struct Joined {
    pub stream: TcpStream,
    /// From the start of the connection to the end of its welcome.
    pub took: Duration,
    /// What arrived after the welcome in the same reads: the start of the member's traffic.
    pub rest: Vec<u8>,
}

/// Connects from `from`, sends `name` and waits at most `patience` for the welcome. The error
/// says, in words, why the member is not in the room.
pub fn join(
    server: SocketAddr,
    from: Option<IpAddr>,
    name: &str,
    preset: Preset,
    patience: Duration,
) -> Result<Joined, String> {
    let started = Instant::now();
    let deadline = started + patience;
    let stream = source::connect(server, from, patience.min(Duration::from_secs(5)))
        .map_err(|error| format!("cannot connect: {}", labkit::error::explain(&error)))?;
    let broken =
        |error: io::Error| format!("lost its connection: {}", labkit::error::explain(&error));
    stream.set_nodelay(true).map_err(broken)?;
    (&stream)
        .write_all(&preset.name_to_send(name))
        .map_err(broken)?;
    let sign = preset.joined_sign(name);
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        if let Some(at) = find(&seen, &sign) {
            let rest = seen.split_off(at + sign.len());
            return Ok(Joined {
                stream,
                took: started.elapsed(),
                rest,
            });
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!(
                "no welcome within {:.1} s{}",
                patience.as_secs_f64(),
                said(&seen)
            ));
        }
        stream.set_read_timeout(Some(left)).map_err(broken)?;
        match (&stream).read(&mut buffer) {
            // A reset too: the server closed it with the name still unread.
            Ok(0) => return Err(format!("the server closed the connection{}", said(&seen))),
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
                ) =>
            {
                return Err(format!("the server closed the connection{}", said(&seen)));
            }
            Ok(read) => seen.extend_from_slice(&buffer[..read]),
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(error) => return Err(broken(error)),
        }
    }
}

/// ", saying \"! ...\"" when the server gave a reason, as the kit's rooms do.
fn said(seen: &[u8]) -> String {
    first_reason(seen).map_or(String::new(), |reason| format!(", saying \"{reason}\""))
}

/// The first "! ..." line in `bytes`, if any.
pub fn first_reason(bytes: &[u8]) -> Option<String> {
    bytes
        .split(|&byte| byte == b'\n')
        .find(|line| line.starts_with(b"! "))
        .map(|line| String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(line)).into_owned())
}
