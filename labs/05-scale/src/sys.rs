//! Every system call this stage makes that std does not offer, each behind a safe function.
//!
//! Lab 03 needs none of these, and they are why lab 05 runs on Linux only: a server of
//! thousands of connections (and, while they join, of threads) meets limits that a classroom
//! room never does, and one thread that reads them all needs the kernel to say which have
//! something to read.
//!
//! - [`raise_open_file_limit`]: every member's socket is an open file, and the usual soft limit
//!   (1024) stops a server near a thousand members (`setrlimit`);
//! - [`send_now`], [`send_slices_now`]: a write that takes what the socket's buffer holds and
//!   never waits (`sendmsg` with `MSG_DONTWAIT`), so that one thread can write to every member;
//! - [`set_send_buffer`]: a small kernel send buffer, so that what a member has not read waits
//!   where the server sees it (`SO_SNDBUF`);
//! - [`expect_threads`]: a kernel futex table sized for the server's threads (`prctl`);
//! - [`max_map_count`]: how many memory mappings the kernel allows the process, four per thread;
//! - [`Poll`], [`receive_now`]: one thread learns which of many sockets have something to read
//!   (epoll), and reads what each holds without ever waiting (`recv` with `MSG_DONTWAIT`).
//!
//! Only [`expect_threads`] needs `unsafe`: `prctl` is a C function with a variable number of
//! arguments, and neither std nor nix wraps this use of it.

use std::io::{self, IoSlice};
use std::net::TcpStream;
use std::os::fd::{AsFd, AsRawFd};
use std::time::Duration;

use nix::errno::Errno;
use nix::libc;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::sys::socket::{self, MsgFlags, sockopt};

/// Raises this process's limit of open files to the highest it may set itself (the soft limit
/// to the hard limit), and returns the limit now in force.
pub fn raise_open_file_limit() -> io::Result<u64> {
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    if soft < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard)?;
    }
    Ok(hard.max(soft))
}

/// Writes as much of `bytes` as the socket's send buffer takes at once, and returns how many it
/// took: 0 when the buffer is full. The socket stays blocking for everybody else (a thread
/// blocked in `read` on it, say): only this one call does not wait (`MSG_DONTWAIT`).
pub fn send_now(stream: &TcpStream, bytes: &[u8]) -> io::Result<usize> {
    send_slices_now(stream, &[IoSlice::new(bytes)])
}

/// [`send_now`] for several slices, end to end, in one system call (`sendmsg`, as `writev`).
pub fn send_slices_now(stream: &TcpStream, slices: &[IoSlice<'_>]) -> io::Result<usize> {
    // MSG_NOSIGNAL: a peer that has gone is an error here, as it is for std's `write`, not a
    // SIGPIPE for the whole process.
    let flags = MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_NOSIGNAL;
    loop {
        match socket::sendmsg::<()>(stream.as_raw_fd(), slices, &[], flags, None) {
            Ok(sent) => return Ok(sent),
            Err(Errno::EAGAIN) => return Ok(0),
            Err(Errno::EINTR) => continue,
            Err(errno) => return Err(errno.into()),
        }
    }
}

/// Reads what the socket holds, up to `buffer`'s length, and returns how many bytes: `Some(0)`
/// when the connection has ended, `None` when nothing is there yet. Like [`send_now`], only this
/// call does not wait; the socket stays blocking for everybody else.
pub fn receive_now(stream: &TcpStream, buffer: &mut [u8]) -> io::Result<Option<usize>> {
    loop {
        match socket::recv(stream.as_raw_fd(), buffer, MsgFlags::MSG_DONTWAIT) {
            Ok(read) => return Ok(Some(read)),
            Err(Errno::EAGAIN) => return Ok(None),
            Err(Errno::EINTR) => continue,
            Err(errno) => return Err(errno.into()),
        }
    }
}

/// A set of sockets watched by the kernel (epoll): one call waits for any of them to have
/// something to read, and says which, by the token each was given.
pub struct Poll {
    epoll: Epoll,
    /// What the kernel reports in one call: at most this many sockets.
    events: Vec<EpollEvent>,
}

impl Poll {
    pub fn new() -> io::Result<Poll> {
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        let events = vec![EpollEvent::empty(); 256];
        Ok(Poll { epoll, events })
    }

    /// Watches `socket`, reported as `token` while it has something to read (or has ended).
    pub fn watch(&self, socket: &impl AsFd, token: u64) -> io::Result<()> {
        let event = EpollEvent::new(EpollFlags::EPOLLIN, token);
        Ok(self.epoll.add(socket, event)?)
    }

    /// Stops reporting `socket` until [`Poll::resume`], whatever it holds or whatever becomes of
    /// it. It is taken out of the set: left in with no events asked for, it would still be
    /// reported once it is shut down or reset (Linux always reports those), again and again.
    pub fn pause(&self, socket: &impl AsFd) -> io::Result<()> {
        self.forget(socket)
    }

    /// Reports `socket` again, as `token`, as [`Poll::watch`] did.
    pub fn resume(&self, socket: &impl AsFd, token: u64) -> io::Result<()> {
        self.watch(socket, token)
    }

    /// Stops watching `socket`.
    pub fn forget(&self, socket: &impl AsFd) -> io::Result<()> {
        Ok(self.epoll.delete(socket)?)
    }

    /// Waits until a watched socket has something to read, or for `timeout` (None: for as long
    /// as it takes), and puts the tokens of those that have in `ready` (a few hundred at most:
    /// the others are reported by the next call).
    pub fn wait(&mut self, ready: &mut Vec<u64>, timeout: Option<Duration>) -> io::Result<()> {
        // In whole milliseconds, rounded up: rounded down, a wait of less than one would not
        // wait at all, and the caller would ask again and again until its time came.
        let timeout = match timeout {
            None => EpollTimeout::NONE,
            Some(wait) => {
                let millis = wait.as_micros().div_ceil(1000);
                EpollTimeout::try_from(millis).unwrap_or(EpollTimeout::MAX)
            }
        };
        let count = loop {
            match self.epoll.wait(&mut self.events, timeout) {
                Ok(count) => break count,
                Err(Errno::EINTR) => continue,
                Err(errno) => return Err(errno.into()),
            }
        };
        ready.clear();
        ready.extend(self.events[..count].iter().map(EpollEvent::data));
        Ok(())
    }
}

/// Sets the kernel's send buffer for `stream` to `bytes` (Linux doubles it for its own
/// bookkeeping). By default it grows with the traffic, up to 4 MiB on loopback.
pub fn set_send_buffer(stream: &TcpStream, bytes: usize) -> io::Result<()> {
    socket::setsockopt(stream, sockopt::SndBuf, &bytes).map_err(io::Error::from)
}

/// How many memory mappings a process may have (`vm.max_map_count`; Linux's default, 65,530,
/// if it cannot be read).
pub fn max_map_count() -> usize {
    std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(65_530)
}

/// prctl's futex hash operations (linux/prctl.h); the libc crate does not name them yet.
const PR_FUTEX_HASH: libc::c_int = 78;
const PR_FUTEX_HASH_SET_SLOTS: libc::c_ulong = 1;
#[cfg(test)]
const PR_FUTEX_HASH_GET_SLOTS: libc::c_ulong = 2;

/// Sizes this process's futex hash table for `threads` threads: one slot per thread, rounded up
/// to a power of two.
///
/// A thread that waits for a lock or a condition variable sleeps on a *futex*, and the kernel
/// finds sleeping threads through a hash table. Since Linux 6.17 each process gets a table of
/// its own, sized for the number of processors, not of threads: 16 slots on a two-core machine.
/// With 20,000 threads asleep, every wake-up would walk a list of about a thousand sleepers.
/// Fails on kernels without private futex tables (before 6.17), where the shared table is large
/// enough anyway.
#[allow(unsafe_code)]
pub fn expect_threads(threads: usize) -> io::Result<()> {
    let slots = threads.clamp(16, 1 << 20).next_power_of_two() as libc::c_ulong;
    // SAFETY: PR_FUTEX_HASH with SET_SLOTS reads two integer arguments and touches no memory
    // of ours; the unused trailing arguments are zero, as the manual asks.
    let done = unsafe { libc::prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_SET_SLOTS, slots, 0, 0) };
    if done != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The number of slots in this process's futex hash table (0: the shared table is used).
#[cfg(test)]
#[allow(unsafe_code)]
pub fn futex_slots() -> io::Result<usize> {
    // SAFETY: as above; GET_SLOTS only returns a number.
    let slots = unsafe { libc::prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_GET_SLOTS, 0, 0, 0) };
    if slots < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(slots as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    fn connected_pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let sender = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (receiver, _) = listener.accept().unwrap();
        (sender, receiver)
    }

    #[test]
    fn the_open_file_limit_is_raised_to_the_hard_limit() {
        let limit = raise_open_file_limit().unwrap();
        let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
        assert_eq!((limit, soft), (hard, hard));
    }

    #[test]
    fn send_now_takes_what_fits_and_never_waits() {
        let (sender, receiver) = connected_pair();
        assert_eq!(send_now(&sender, b"hello\n").unwrap(), 6);
        // Nobody reads `receiver` past the first line: the buffers fill up, and then each call
        // takes nothing instead of blocking this test for ever.
        let chunk = vec![b'x'; 64 * 1024];
        let mut calls = 0;
        while send_now(&sender, &chunk).unwrap() > 0 {
            calls += 1;
            assert!(calls < 10_000, "the buffers never filled up");
        }
        assert_eq!(send_now(&sender, &chunk).unwrap(), 0);
        let mut first = [0; 6];
        (&receiver).read_exact(&mut first).unwrap();
        assert_eq!(&first, b"hello\n");
    }

    #[test]
    fn receive_now_takes_what_is_there_and_never_waits() {
        let (mut sender, receiver) = connected_pair();
        let mut buffer = [0; 16];
        // A read that waited would block here for ever: the timeout makes it fail instead.
        receiver
            .set_read_timeout(Some(Duration::from_secs(1)))
            .unwrap();
        let asked = std::time::Instant::now();
        assert_eq!(receive_now(&receiver, &mut buffer).unwrap(), None);
        assert!(asked.elapsed() < Duration::from_millis(500), "it waited");
        sender.write_all(b"hello\n").unwrap();
        let mut poll = Poll::new().unwrap();
        poll.watch(&receiver, 7).unwrap();
        let mut ready = Vec::new();
        poll.wait(&mut ready, Some(Duration::from_secs(5))).unwrap();
        assert_eq!(ready, [7]);
        assert_eq!(receive_now(&receiver, &mut buffer).unwrap(), Some(6));
        assert_eq!(&buffer[..6], b"hello\n");
        drop(sender);
        assert_eq!(receive_now(&receiver, &mut buffer).unwrap(), Some(0));
    }

    #[test]
    fn a_paused_socket_is_not_reported_until_it_is_resumed() {
        let (mut sender, receiver) = connected_pair();
        let mut poll = Poll::new().unwrap();
        poll.watch(&receiver, 3).unwrap();
        poll.pause(&receiver).unwrap();
        sender.write_all(b"waiting\n").unwrap();
        let mut ready = vec![99];
        poll.wait(&mut ready, Some(Duration::from_millis(50)))
            .unwrap();
        assert_eq!(ready, [], "reported while paused");
        // Nor once its connection is shut down or reset, which Linux reports unasked.
        receiver.shutdown(std::net::Shutdown::Both).unwrap();
        poll.wait(&mut ready, Some(Duration::from_millis(50)))
            .unwrap();
        assert_eq!(ready, [], "reported, shut down, while paused");
        poll.resume(&receiver, 3).unwrap();
        poll.wait(&mut ready, Some(Duration::from_secs(5))).unwrap();
        assert_eq!(ready, [3]);
        poll.forget(&receiver).unwrap();
        poll.wait(&mut ready, Some(Duration::from_millis(50)))
            .unwrap();
        assert_eq!(ready, [], "reported once forgotten");
    }

    #[test]
    fn the_send_buffer_is_what_was_asked_for_doubled() {
        let (stream, _receiver) = connected_pair();
        set_send_buffer(&stream, 64 * 1024).unwrap();
        let size = socket::getsockopt(&stream, sockopt::SndBuf).unwrap();
        assert_eq!(size, 2 * 64 * 1024);
    }

    #[test]
    fn the_futex_table_grows_to_the_threads_expected() {
        match expect_threads(20_000) {
            Ok(()) => assert_eq!(futex_slots().unwrap(), 32_768),
            // An older kernel: nothing to size, and nothing to check.
            Err(error) => assert_eq!(error.raw_os_error(), Some(libc::EINVAL), "{error}"),
        }
    }
}
