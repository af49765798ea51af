//! The command line.

use clap::Parser;

use crate::preset::Preset;

/// Connects N members to a room server on this machine, makes each send M messages, reads every
/// member's stream, and reports what arrived: lost, mangled and duplicated deliveries, delivery
/// rate and latency.
///
/// The figures are printed whatever happened; the exit status says whether the room passed: 0
/// when every member joined and every expected delivery arrived intact, once; otherwise 1, and
/// one sentence on stderr saying what went wrong. Linux only (epoll, and the members' many
/// loopback addresses).
#[derive(Parser, Debug, Clone)]
#[command(name = "bench", version)]
pub struct Args {
    /// Host of the room server: loopback only (127.0.0.1, ::1, localhost).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port of the room server [default: the preset's: 9090 for kit and seed003, 8080 for
    /// seed000, 55555 for seed001, 33000 for seed002].
    #[arg(long)]
    pub port: Option<u16>,
    /// How to join and what to expect: the kit's room, or one of the documents' servers.
    #[arg(long, value_enum, default_value_t = Preset::Kit)]
    pub preset: Preset,
    /// Members that join and send.
    #[arg(short = 'n', long, default_value_t = 10)]
    pub members: u64,
    /// Messages each member sends (0: only join, and report how long joining took).
    #[arg(short = 'm', long, default_value_t = 100)]
    pub messages: u64,
    /// Only the first K members send; all of them receive [default: every member sends].
    /// `-n 10000 -m 1 --talkers 1`: how long one message takes to reach 10,000 members.
    #[arg(long, value_name = "K")]
    pub talkers: Option<u64>,
    /// Messages per second each member sends [default: as fast as it can].
    #[arg(long)]
    pub rate: Option<f64>,
    /// With --rate: spread the members' schedules evenly over each period, as people typing
    /// independently would, instead of every member sending in the same instant (lockstep
    /// rounds, the worst case for latency).
    #[arg(long, requires = "rate")]
    pub spread: bool,
    /// Length of each message in bytes, newline included (longer if the fields need it).
    #[arg(long, default_value_t = 64)]
    pub size: usize,
    /// Scenario: abruptly close this percentage of the members (0 to 100) half way through.
    #[arg(long, value_name = "PERCENT", default_value_t = 0)]
    pub kill: u64,
    /// Scenario: one more member joins, then never reads and never sends (the run lasts at least
    /// 6 s, so that the server has to deal with it).
    #[arg(long)]
    pub non_reader: bool,
    /// Scenario: this many more clients connect at once half way through, join, and stay.
    #[arg(long, value_name = "CLIENTS", default_value_t = 0)]
    pub connect_burst: u64,
    /// Scenario: after every K-th message each member sends a bad line: by turns too long
    /// (8193 bytes), not UTF-8, empty.
    #[arg(long, value_name = "K")]
    pub bad_input: Option<u64>,
    /// Members are named PREFIX0, PREFIX1...: change it to run two benches in one room, or
    /// when the room has not yet noticed that the last run's members left.
    #[arg(long, value_name = "PREFIX", default_value = "bench")]
    pub name_prefix: String,
    /// Threads that read the members' streams. With one, the bench could not read lab 05 at
    /// 100 x 200 as fast as it sent: its reader was busy 69 to 91 % of the run (five runs; the
    /// table's "busiest reader" says so for every run).
    #[arg(long, default_value_t = 2)]
    pub readers: usize,
    /// Threads that send the members' messages.
    #[arg(long, default_value_t = 1)]
    pub senders: usize,
    /// Seconds to wait for all members to join.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub join_timeout: f64,
    /// Seconds without any delivery, once all is sent, after which the rest counts as lost;
    /// also how long one send may wait for a server that does not read.
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0)]
    pub idle_timeout: f64,
    /// Seconds the whole run may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    pub timeout: f64,
    /// Leave Nagle's algorithm on for the members' sockets (no TCP_NODELAY): each small
    /// message may then wait for the ACK of the one before, as with the documents' clients.
    #[arg(long)]
    pub nagle: bool,
    /// Connect every member from the one address the system picks (127.0.0.1). By default
    /// member k connects from a loopback address of its own (127.1.0.1, 127.1.0.2...: on Linux
    /// all of 127.0.0.0/8 is this machine), so that a room's limit of connections per address,
    /// meant for attackers, does not turn the bench's members away.
    #[arg(long)]
    pub single_source: bool,
    /// Hostile measurement: open this many connections from 127.0.0.1 that never send a name,
    /// then time how long 5 members from other addresses take to join, one after the other.
    #[arg(long, value_name = "CONNECTIONS", conflicts_with = "flood")]
    pub slowloris: Option<u64>,
    /// Hostile measurement: one member sends as fast as it can (and reads) while a second sends
    /// --messages at --rate [default: 20 per second]; reports the second one's latency.
    #[arg(long)]
    pub flood: bool,
    /// Print one line of JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}
