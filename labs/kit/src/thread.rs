//! Starting a server's threads: named, with a small stack, and an error instead of a panic when
//! the system has no thread to spare.

use std::io;
use std::thread;

/// The stack of each of a server's threads. std reserves 2 MiB per thread; a server's threads
/// keep their buffers on the heap and use a few KiB of stack. Only the pages a thread touches
/// cost memory, but 10,000 members may be 20,000 threads: at 2 MiB each that would be 40 GiB of
/// address space to reserve, at 128 KiB it is 2.5 GiB.
pub const STACK_SIZE: usize = 128 * 1024;

/// Starts a thread called `name` that runs `body`.
pub fn spawn(name: &str, body: impl FnOnce() + Send + 'static) -> io::Result<()> {
    // `thread::spawn` panics when no thread can be started (too many members for the
    // machine); the builder returns the error instead, so the server refuses that one
    // connection (or drops that one member), logs why, and carries on.
    thread::Builder::new()
        .name(name.to_string())
        .stack_size(STACK_SIZE)
        .spawn(body)
        .map(drop)
}
