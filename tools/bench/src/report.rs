//! The figures of a run: a table for people, one line of JSON for scripts. [`Report`] is a load
//! run's; [`Outcome`] is what the hostile measurements (`--slowloris`, `--flood`) found.

use std::fmt::Write;
use std::net::SocketAddr;
use std::time::Duration;

use crate::hist::Histogram;
use crate::preset::Preset;

/// Why the run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Every expected delivery arrived (intact or mangled).
    Complete,
    /// Everything was sent, then nothing arrived for `--idle-timeout`.
    Idle,
    /// `--timeout` was reached.
    TimeLimit,
}

impl Ending {
    fn code(self) -> &'static str {
        match self {
            Ending::Complete => "complete",
            Ending::Idle => "idle",
            Ending::TimeLimit => "time-limit",
        }
    }

    fn words(self) -> &'static str {
        match self {
            // Expected by the members in the room: the verdict says if some never got in.
            Ending::Complete => "every delivery expected by the members in the room arrived",
            Ending::Idle => "nothing more arrived (--idle-timeout): the rest is lost",
            Ending::TimeLimit => "the time limit was reached (--timeout)",
        }
    }
}

/// How busy a reading thread may be, in % of the run from its first send, before the table says
/// the bench was the limit of the run. A thread that can read no faster never quite reaches
/// 100: it waits for the first deliveries, and for each round of the server's sends (one reader
/// against lab 05 at 100 x 200, five runs: 69 to 91 %; two: 57 to 71 %).
pub const READER_LIMIT: f64 = 80.0;

pub struct Report {
    pub preset: Preset,
    pub address: SocketAddr,
    pub members: u64,
    pub messages: u64,
    pub rate: Option<f64>,
    /// Nagle's algorithm left on for the members' sockets (`--nagle`).
    pub nagle: bool,
    /// The members' schedules spread over each period (`--spread`).
    pub spread: bool,
    /// Members in the room when the sending started.
    pub joined: u64,
    pub connected: u64,
    pub connect_failure: Option<String>,
    pub join_failed: u64,
    pub join_time: Duration,
    pub planned: u64,
    pub sent: u64,
    /// Messages sent by members that were killed afterwards, counted apart.
    pub killed_sent: u64,
    /// Their intact deliveries to the counted members.
    pub killed_seen: u64,
    /// Members whose deliveries are counted (joined, not killed).
    pub counted: u64,
    pub expected: u64,
    pub seen: u64,
    pub lost: u64,
    pub garbled: u64,
    pub duplicated: u64,
    pub unreadable: u64,
    pub latency: Histogram,
    /// From the first send to the last intact delivery.
    pub active: Duration,
    pub wall: Duration,
    /// From the first send to the end of the run.
    pub sending: Duration,
    /// The processor time of the busiest reading thread over `sending`.
    pub reader_busy: Duration,
    pub ending: Ending,
    pub killed: u64,
    pub dropped: u64,
    /// Some(joined?) when `--non-reader` was asked for.
    pub non_reader: Option<bool>,
    /// Some((connected, joined)) when `--connect-burst` was asked for.
    pub burst: Option<(u64, u64)>,
    pub bad_sent: u64,
    pub bad_refusable: u64,
    pub error_replies: u64,
    pub abandoned: u64,
}

impl Report {
    /// Why this run is not a success, in one sentence; None when every member asked for got in
    /// and every expected delivery arrived intact, once. The figures count only the members in
    /// the room, so a run where some never joined must not pass on figures alone.
    pub fn failure(&self) -> Option<String> {
        let mut faults = Vec::new();
        if self.joined < self.members {
            let missing = self.members - self.joined;
            let asked = self.members + u64::from(self.non_reader.is_some());
            let unconnected = asked.saturating_sub(self.connected);
            let waiting = missing.saturating_sub(self.join_failed + unconnected);
            let mut why = Vec::new();
            if self.join_failed > 0 {
                why.push(format!(
                    "{} refused or closed by the server",
                    self.join_failed
                ));
            }
            if unconnected > 0 {
                why.push(format!("{unconnected} could not connect"));
            }
            if waiting > 0 {
                why.push(format!("{waiting} not welcomed within --join-timeout"));
            }
            faults.push(format!(
                "{missing} of {} members never joined ({})",
                self.members,
                why.join(", ")
            ));
        }
        if self.non_reader == Some(false) {
            faults.push("the non-reader never joined".to_string());
        }
        if let Some((connected, joined)) = self.burst
            && joined < connected
        {
            faults.push(format!(
                "{} of the {connected} clients of the connect burst never joined",
                connected - joined
            ));
        }
        if self.lost > 0 {
            faults.push(format!(
                "{} of {} expected deliveries never arrived",
                self.lost, self.expected
            ));
        }
        if self.garbled > 0 {
            faults.push(format!("{} arrived garbled", self.garbled));
        }
        if self.duplicated > 0 {
            faults.push(format!("{} arrived twice", self.duplicated));
        }
        if self.dropped > 0 {
            faults.push(format!(
                "the server dropped {} members that were reading",
                self.dropped
            ));
        }
        if self.abandoned > 0 {
            faults.push(format!(
                "{} members could not send everything (the server took nothing for \
                 --idle-timeout)",
                self.abandoned
            ));
        }
        if self.preset.frames_lines() && self.error_replies < self.bad_refusable {
            faults.push(format!(
                "{} of {} bad lines got no \"! ...\" reply",
                self.bad_refusable - self.error_replies,
                self.bad_refusable
            ));
        }
        if faults.is_empty() {
            return None;
        }
        let also = if self.joined < self.members {
            "; the figures above count only the members that joined"
        } else {
            ""
        };
        Some(format!(
            "the room failed this run: {}{also}",
            faults.join("; ")
        ))
    }

    pub fn deliveries_per_second(&self) -> f64 {
        let seconds = self.active.as_secs_f64();
        if seconds > 0.0 {
            self.seen as f64 / seconds
        } else {
            0.0
        }
    }

    /// How busy the bench's busiest reading thread was from the first send to the end of the
    /// run: its processor time against that time, in %. Near 100, it could read no faster, and
    /// the deliveries per second are the bench's as much as the server's. (Against the active
    /// time, which ends with the last delivery, a row whose reading goes on after it, such as
    /// the last joins' notices with 10,000 members, would pass 100.)
    pub fn reader_busy_percent(&self) -> f64 {
        let seconds = self.sending.as_secs_f64();
        if seconds > 0.0 {
            self.reader_busy.as_secs_f64() * 100.0 / seconds
        } else {
            0.0
        }
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        let mut pace = match self.rate {
            Some(rate) => format!("{rate} per second per member"),
            None => "as fast as possible".to_string(),
        };
        if self.spread {
            pace += ", spread over each period";
        }
        if self.nagle {
            pace += ", Nagle on";
        }
        let percent = |part: u64| {
            if self.expected == 0 {
                String::new()
            } else {
                format!("  ({:.2} %)", part as f64 * 100.0 / self.expected as f64)
            }
        };
        let mut row = |label: &str, value: String| {
            let _ = writeln!(out, "  {label:<22}{value}");
        };
        row(
            "room server",
            format!("{} (preset {})", self.address, self.preset.label()),
        );
        row(
            "members joined",
            format!(
                "{} of {} in {}",
                self.joined,
                self.members,
                duration(self.join_time)
            ),
        );
        if let Some(failure) = &self.connect_failure {
            row(
                "",
                format!("connecting stopped after {}: {failure}", self.connected),
            );
        }
        if self.join_failed > 0 {
            row(
                "",
                format!(
                    "{} could not join (the room refused the name or closed the connection)",
                    self.join_failed
                ),
            );
        }
        row(
            "messages sent",
            format!("{} of {} ({pace})", self.sent, self.planned),
        );
        row(
            "deliveries expected",
            format!(
                "{}  ({} members x {} messages)",
                self.expected,
                self.counted,
                self.sent - self.killed_sent
            ),
        );
        row("  seen", format!("{}{}", self.seen, percent(self.seen)));
        row("  lost", format!("{}{}", self.lost, percent(self.lost)));
        row(
            "  garbled",
            format!("{}{}", self.garbled, percent(self.garbled)),
        );
        row("  duplicated", self.duplicated.to_string());
        row("unreadable pieces", self.unreadable.to_string());
        row(
            "deliveries per second",
            format!("{:.0}", self.deliveries_per_second()),
        );
        row("busiest reader", busy_words(self.reader_busy_percent()));
        row("latency p50", latency(self.latency.quantile(0.5)));
        row("latency p99", latency(self.latency.quantile(0.99)));
        row("latency max", latency(self.latency.max()));
        row("join time", duration(self.join_time));
        row("wall time", duration(self.wall));
        row("ended", self.ending.words().to_string());
        if self.killed > 0 {
            row(
                "killed",
                format!("{} members, half way through", self.killed),
            );
            row(
                "  their messages",
                format!(
                    "{} sent before, {} of {} deliveries seen (counted apart: the reset \
                     destroys what the server had not read yet)",
                    self.killed_sent,
                    self.killed_seen,
                    self.killed_sent * self.counted
                ),
            );
        }
        if self.dropped > 0 {
            row("dropped by the server", format!("{} members", self.dropped));
        }
        if let Some(joined) = self.non_reader {
            row(
                "non-reader",
                if joined {
                    "joined, never read"
                } else {
                    "did not join"
                }
                .to_string(),
            );
        }
        if let Some((connected, joined)) = self.burst {
            row(
                "connect burst",
                format!("{connected} connected, {joined} joined"),
            );
        }
        if self.bad_sent > 0 {
            row(
                "bad lines sent",
                format!(
                    "{} ({} to be refused by the kit's room)",
                    self.bad_sent, self.bad_refusable
                ),
            );
        }
        if self.bad_sent > 0 || self.error_replies > 0 {
            row("error replies", self.error_replies.to_string());
        }
        if self.abandoned > 0 {
            row(
                "sending abandoned",
                format!(
                    "{} members (the server took nothing for --idle-timeout)",
                    self.abandoned
                ),
            );
        }
        out
    }

    pub fn json(&self) -> String {
        let millis = |value: Duration| format!("{:.3}", value.as_secs_f64() * 1000.0);
        let (burst_connected, burst_joined) = self.burst.unwrap_or((0, 0));
        let mut fields: Vec<(&str, String)> = vec![
            ("preset", quoted(self.preset.label())),
            ("address", quoted(&self.address.to_string())),
            ("members", self.members.to_string()),
            ("messages_per_member", self.messages.to_string()),
            (
                "rate",
                self.rate
                    .map_or("null".to_string(), |rate| rate.to_string()),
            ),
            ("nagle", self.nagle.to_string()),
            ("spread", self.spread.to_string()),
            ("joined", self.joined.to_string()),
            ("join_failed", self.join_failed.to_string()),
            ("messages_planned", self.planned.to_string()),
            ("messages_sent", self.sent.to_string()),
            ("counted_members", self.counted.to_string()),
            ("expected", self.expected.to_string()),
            ("seen", self.seen.to_string()),
            ("lost", self.lost.to_string()),
            ("garbled", self.garbled.to_string()),
            ("duplicated", self.duplicated.to_string()),
            ("unreadable", self.unreadable.to_string()),
            (
                "deliveries_per_second",
                format!("{:.0}", self.deliveries_per_second()),
            ),
            ("latency_p50_us", micros(self.latency.quantile(0.5))),
            ("latency_p99_us", micros(self.latency.quantile(0.99))),
            ("latency_max_us", micros(self.latency.max())),
            ("join_ms", millis(self.join_time)),
            ("wall_ms", millis(self.wall)),
            ("reader_busy_ms", millis(self.reader_busy)),
            (
                "reader_busy_percent",
                format!("{:.1}", self.reader_busy_percent()),
            ),
            ("ended", quoted(self.ending.code())),
            ("killed", self.killed.to_string()),
            ("killed_messages_sent", self.killed_sent.to_string()),
            ("killed_deliveries_seen", self.killed_seen.to_string()),
            ("dropped", self.dropped.to_string()),
            (
                "non_reader_joined",
                self.non_reader
                    .map_or("null".to_string(), |joined| joined.to_string()),
            ),
            ("burst_connected", burst_connected.to_string()),
            ("burst_joined", burst_joined.to_string()),
            ("bad_sent", self.bad_sent.to_string()),
            ("bad_refusable", self.bad_refusable.to_string()),
            ("error_replies", self.error_replies.to_string()),
            ("abandoned", self.abandoned.to_string()),
            ("passed", self.failure().is_none().to_string()),
        ];
        if let Some(failure) = self.failure() {
            fields.push(("failure", quoted(&failure)));
        }
        if let Some(failure) = &self.connect_failure {
            fields.push(("connect_failure", quoted(failure)));
        }
        let body: Vec<String> = fields
            .into_iter()
            .map(|(key, value)| format!("\"{key}\":{value}"))
            .collect();
        format!("{{{}}}", body.join(","))
    }
}

/// What a hostile measurement found: rows for the table, fields for the JSON line, and why the
/// room failed it, if it did.
pub struct Outcome {
    /// (label, value) for the table.
    pub rows: Vec<(&'static str, String)>,
    /// (key, JSON value) for the JSON line.
    pub fields: Vec<(&'static str, String)>,
    pub failure: Option<String>,
}

impl Outcome {
    pub fn table(&self) -> String {
        let mut out = String::new();
        for (label, value) in &self.rows {
            let _ = writeln!(out, "  {label:<22}{value}");
        }
        out
    }

    pub fn json(&self) -> String {
        let mut fields = self.fields.clone();
        fields.push(("passed", self.failure.is_none().to_string()));
        if let Some(failure) = &self.failure {
            fields.push(("failure", quoted(failure)));
        }
        let body: Vec<String> = fields
            .into_iter()
            .map(|(key, value)| format!("\"{key}\":{value}"))
            .collect();
        format!("{{{}}}", body.join(","))
    }
}

/// The table's "busiest reader": how busy, and past [`READER_LIMIT`] that the figures of the
/// run are the bench's as much as the server's.
fn busy_words(busy: f64) -> String {
    let warning = if busy >= READER_LIMIT {
        " (the bench was the limit: try more --readers)"
    } else {
        ""
    };
    format!("{busy:.0} % of the run{warning}")
}

/// A latency in the JSON's unit, microseconds (null when nothing was measured).
pub fn micros(value: Option<u64>) -> String {
    value.map_or("null".to_string(), |nanos| {
        format!("{:.1}", nanos as f64 / 1000.0)
    })
}

/// A latency for people ("-" when nothing was measured).
pub fn latency(value: Option<u64>) -> String {
    value.map_or("-".to_string(), |nanos| {
        duration(Duration::from_nanos(nanos))
    })
}

pub fn duration(value: Duration) -> String {
    let seconds = value.as_secs_f64();
    if seconds >= 1.0 {
        format!("{seconds:.3} s")
    } else if seconds >= 0.001 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{:.1} µs", seconds * 1e6)
    }
}

/// A JSON string: quotes, backslashes and control characters escaped.
pub fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_busy_past_the_limit_says_the_bench_was_the_limit() {
        assert_eq!(busy_words(52.4), "52 % of the run");
        assert_eq!(busy_words(79.0), "79 % of the run");
        assert_eq!(
            busy_words(READER_LIMIT),
            "80 % of the run (the bench was the limit: try more --readers)"
        );
        assert_eq!(
            busy_words(97.0),
            "97 % of the run (the bench was the limit: try more --readers)"
        );
    }
}
