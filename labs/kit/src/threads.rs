//! What a server with thousands of threads needs from Linux that std does not offer.
//!
//! A thread that waits for a lock or a condition variable sleeps on a *futex*, and the kernel
//! finds sleeping threads through a hash table. Since Linux 6.17 each process gets a table of
//! its own, sized for the number of processors, not of threads: 16 slots on a two-core machine.
//! With 20,000 threads asleep (10,000 members, two threads each), every wake-up walks a list of
//! about a thousand sleepers to find the right one. [`expect_threads`] asks for a table sized
//! for the threads the server expects.
//!
//! This is the only file of labkit that uses `unsafe`: `prctl` is a C function with a variable
//! number of arguments, and neither std nor nix wraps this use of it.
#![allow(unsafe_code)]

use std::io;

use nix::libc;

/// prctl's futex hash operations (linux/prctl.h); the libc crate does not name them yet.
const PR_FUTEX_HASH: libc::c_int = 78;
const PR_FUTEX_HASH_SET_SLOTS: libc::c_ulong = 1;
const PR_FUTEX_HASH_GET_SLOTS: libc::c_ulong = 2;

/// Sizes this process's futex hash table for `threads` threads: one slot per thread, rounded up
/// to a power of two. Fails on kernels without private futex tables (before 6.17), where the
/// shared table is large enough anyway.
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

    #[test]
    fn the_futex_table_grows_to_the_threads_expected() {
        match expect_threads(20_000) {
            Ok(()) => assert_eq!(futex_slots().unwrap(), 32_768),
            // An older kernel: nothing to size, and nothing to check.
            Err(error) => assert_eq!(error.raw_os_error(), Some(libc::EINVAL), "{error}"),
        }
    }
}
