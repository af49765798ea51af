//! The few operating-system calls std does not offer, each wrapped in a safe function.
//!
//! This is the only file of the bench that uses `unsafe`: every block below is one C call on a file
//! descriptor we own or on a buffer we hold, and says why it is sound. The rest of the bench only
//! sees safe functions:
//!
//! - [`Epoll`]: one thread waits on thousands of sockets at once and learns which ones have data
//!   (epoll), instead of one blocked thread per socket;
//! - [`find_byte`]: the C library's memchr, which scans for a line end many bytes at a time;
//! - [`reset_on_close`]: SO_LINGER 0, so that closing a socket sends a reset, as a crashed or
//!   killed client does, instead of a polite end of stream;
//! - [`wait_writable`]: poll for "can write", so that a send to a server that stopped reading
//!   waits a bounded time;
//! - [`raise_open_file_limit`]: one socket per member, and 10,000 members are far above the
//!   usual soft limit of 1,024 open files.
//! - [`thread_cpu_time`]: how much processor time the calling thread has used, so that a reader
//!   can tell when the bench, not the server, was the limit of a run.
#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// An epoll instance: a kernel object that watches many sockets and, when asked, lists those
/// that have something to read (level-triggered: a socket stays listed while data is waiting).
pub struct Epoll {
    fd: OwnedFd,
}

/// One readiness report: which socket (the token given to [`Epoll::add`]).
pub type Event = libc::epoll_event;

impl Epoll {
    pub fn new() -> io::Result<Epoll> {
        // SAFETY: epoll_create1 takes no pointer; a non-negative result is a new descriptor that
        // nobody else owns, so OwnedFd may close it.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Epoll {
            // SAFETY: see above, `fd` is ours.
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// Watches `socket` for incoming data, end of stream and errors; reports it with `token`.
    pub fn add(&self, socket: &impl AsRawFd, token: u64) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: (libc::EPOLLIN | libc::EPOLLRDHUP) as u32,
            u64: token,
        };
        // SAFETY: both descriptors are open (we hold them); the kernel copies `event`.
        let done = unsafe {
            libc::epoll_ctl(
                self.fd.as_raw_fd(),
                libc::EPOLL_CTL_ADD,
                socket.as_raw_fd(),
                &mut event,
            )
        };
        if done != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Stops watching `socket`.
    pub fn remove(&self, socket: &impl AsRawFd) {
        let mut unused = libc::epoll_event { events: 0, u64: 0 };
        // SAFETY: both descriptors are open; old kernels want a non-null event even for DEL.
        // A failure only means it was not watched, which is what we want anyway.
        unsafe {
            libc::epoll_ctl(
                self.fd.as_raw_fd(),
                libc::EPOLL_CTL_DEL,
                socket.as_raw_fd(),
                &mut unused,
            );
        }
    }

    /// Waits at most `timeout` for sockets with something to read; fills `events` and returns
    /// how many it filled (0 when the time ran out).
    pub fn wait(&self, events: &mut [Event], timeout: Duration) -> io::Result<usize> {
        let capacity = events.len().min(i32::MAX as usize) as i32;
        let millis = timeout.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: the kernel writes at most `capacity` events into the slice we own.
        let ready =
            unsafe { libc::epoll_wait(self.fd.as_raw_fd(), events.as_mut_ptr(), capacity, millis) };
        if ready < 0 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                return Ok(0);
            }
            return Err(error);
        }
        Ok(ready as usize)
    }
}

/// An empty event, to size the buffer handed to [`Epoll::wait`].
pub fn no_event() -> Event {
    libc::epoll_event { events: 0, u64: 0 }
}

/// The token of an event (a copy: the struct is packed, so no reference to its field).
pub fn token(event: &Event) -> u64 {
    let Event { u64: token, .. } = *event;
    token
}

/// Where `byte` first occurs in `haystack`.
pub fn find_byte(haystack: &[u8], byte: u8) -> Option<usize> {
    if haystack.is_empty() {
        return None;
    }
    // SAFETY: memchr reads at most `len` bytes from the start of a slice we borrow, and returns
    // either null or a pointer into it.
    let found = unsafe { libc::memchr(haystack.as_ptr().cast(), i32::from(byte), haystack.len()) };
    if found.is_null() {
        None
    } else {
        Some(found as usize - haystack.as_ptr() as usize)
    }
}

/// Makes the next close of `socket` abrupt: the peer gets a reset (ECONNRESET), not an end of
/// stream, as when a client process is killed with unread data or a cable is pulled.
pub fn reset_on_close(socket: &impl AsRawFd) -> io::Result<()> {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: the descriptor is open; the kernel copies `size_of::<linger>()` bytes from it.
    let done = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    if done != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Waits at most `timeout` until `socket` can take more bytes; false if the time ran out.
pub fn wait_writable(socket: RawFd, timeout: Duration) -> io::Result<bool> {
    let mut watched = libc::pollfd {
        fd: socket,
        events: libc::POLLOUT,
        revents: 0,
    };
    let millis = timeout.as_millis().min(i32::MAX as u128) as i32;
    // SAFETY: poll reads and writes the one pollfd we own.
    let ready = unsafe { libc::poll(&mut watched, 1, millis) };
    if ready < 0 {
        let error = io::Error::last_os_error();
        if error.kind() == io::ErrorKind::Interrupted {
            return Ok(false);
        }
        return Err(error);
    }
    Ok(ready > 0)
}

/// Raises this process's soft limit of open files to its hard limit; returns the limit now in
/// force.
pub fn raise_open_file_limit() -> io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        // SAFETY: setrlimit reads one rlimit from the struct we own.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(limit.rlim_cur)
}

/// The processor time the calling thread has used so far (`CLOCK_THREAD_CPUTIME_ID`).
pub fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the struct we own; this clock always
    // exists on Linux, so it cannot fail (and a failure would leave zero, not garbage).
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_that_works_uses_processor_time_and_one_that_sleeps_does_not() {
        // Works until its own clock says 20 ms, however busy the machine is (other tests run
        // beside it): a clock that did not count this thread's work would never get there.
        let before = thread_cpu_time();
        let started = std::time::Instant::now();
        let mut sum = 0u64;
        while thread_cpu_time() - before < Duration::from_millis(20) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "10 s of work, and the thread's clock has not counted 20 ms"
            );
            sum = std::hint::black_box(sum.wrapping_add(1));
        }
        let before = thread_cpu_time();
        std::thread::sleep(Duration::from_millis(50));
        let slept = thread_cpu_time() - before;
        assert!(slept < Duration::from_millis(10), "slept {slept:?}");
    }

    #[test]
    fn find_byte_finds_the_first_one() {
        assert_eq!(find_byte(b"ab\ncd\n", b'\n'), Some(2));
        assert_eq!(find_byte(b"abcd", b'\n'), None);
        assert_eq!(find_byte(b"", b'\n'), None);
    }

    #[test]
    fn a_socket_closed_after_reset_on_close_resets_its_peer() {
        use std::io::Read;
        use std::net::{TcpListener, TcpStream};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let doomed = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut peer, _) = listener.accept().unwrap();
        reset_on_close(&doomed).unwrap();
        drop(doomed);
        let error = peer.read(&mut [0; 16]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
    }
}
