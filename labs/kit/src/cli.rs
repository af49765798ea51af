//! The command-line options every lab shares.
//!
//! A port given wrong (`--port -1`, `--port 70000`, `--port abc`) is answered with one sentence
//! that says what a port is, not with clap's "unexpected argument '-1' found" (clap takes a
//! value starting with `-` for an option unless told otherwise) or Rust's "invalid digit found
//! in string". [`seconds`] does the same for a time limit such as lab 01's `--timeout`.

use std::fmt;
use std::time::Duration;

use clap::Args;

/// Where a server listens, or where a client connects: `--host` and `--port`.
///
/// `PORT` is the lab's default port (the documents' port where they name one), so a lab writes
/// `Address<9090>` and `--help` shows `[default: 9090]`.
#[derive(Args, Debug, Clone, PartialEq, Eq)]
pub struct Address<const PORT: u16> {
    /// Host name or IP address.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// TCP port; 0 asks the system for a free one (servers only).
    #[arg(long, default_value_t = PORT, value_parser = port, allow_negative_numbers = true)]
    pub port: u16,
}

/// The highest TCP port: a port is 16 bits on the wire.
const LAST_PORT: u16 = u16::MAX;

/// Reads a `--port` value, or says in one sentence why it is not a port.
fn port(value: &str) -> Result<u16, String> {
    let Ok(number) = value.trim().parse::<i64>() else {
        return Err(format!("a port is a whole number from 0 to {LAST_PORT}"));
    };
    if number < 0 {
        return Err(format!(
            "a port cannot be negative: choose one from 0 to {LAST_PORT} (0 picks a free one)"
        ));
    }
    u16::try_from(number).map_err(|_| {
        format!(
            "the last port is {LAST_PORT}: choose one from 0 to {LAST_PORT} (0 picks a free one)"
        )
    })
}

impl<const PORT: u16> fmt::Display for Address<PORT> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// Reads a time limit in seconds (`10`, `0.5`), or says in one sentence why it is not one.
///
/// For an option that takes one: `#[arg(long, value_parser = labkit::cli::seconds,
/// allow_negative_numbers = true, default_value = "10")] timeout: Duration`.
pub fn seconds(value: &str) -> Result<Duration, String> {
    let Ok(number) = value.trim().parse::<f64>() else {
        return Err("a time limit is a number of seconds, such as 10 or 0.5".to_string());
    };
    Duration::try_from_secs_f64(number)
        .ok()
        .filter(|limit| !limit.is_zero())
        .ok_or_else(|| "a time limit must be a positive number of seconds".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        address: Address<8080>,
    }

    #[test]
    fn defaults_to_loopback_and_the_labs_port() {
        let cli = Cli::parse_from(["lab"]);
        assert_eq!(cli.address.to_string(), "127.0.0.1:8080");
    }

    /// What clap prints for `--port VALUE`: its whole error message.
    fn refusal(value: &str) -> String {
        match Cli::try_parse_from(["lab", "--port", value]) {
            Ok(cli) => panic!("--port {value} was accepted as {}", cli.address.port),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn a_negative_port_reaches_the_port_parser() {
        let said = refusal("-1");
        assert!(!said.contains("unexpected argument"), "{said}");
        assert!(said.contains("a port cannot be negative"), "{said}");
    }

    #[test]
    fn a_port_past_65535_is_refused_with_the_range() {
        let said = refusal("70000");
        assert!(said.contains("the last port is 65535"), "{said}");
    }

    #[test]
    fn a_port_that_is_not_a_number_is_refused() {
        let said = refusal("abc");
        assert!(said.contains("'abc'"), "the value is shown: {said}");
        assert!(said.contains("a port is a whole number"), "{said}");
    }

    #[test]
    fn the_whole_range_is_accepted() {
        for port in ["0", "1", "65535"] {
            let cli = Cli::parse_from(["lab", "--port", port]);
            assert_eq!(cli.address.port.to_string(), port);
        }
    }

    #[test]
    fn seconds_may_have_a_fraction() {
        assert_eq!(seconds("10"), Ok(Duration::from_secs(10)));
        assert_eq!(seconds("0.5"), Ok(Duration::from_millis(500)));
    }

    #[test]
    fn seconds_that_are_no_time_limit_are_refused() {
        for value in ["0", "-1", "inf", "NaN"] {
            assert_eq!(
                seconds(value),
                Err("a time limit must be a positive number of seconds".to_string()),
                "{value}"
            );
        }
        assert!(seconds("ten").unwrap_err().contains("a number of seconds"));
    }

    #[test]
    fn host_and_port_can_be_changed() {
        let cli = Cli::parse_from(["lab", "--host", "localhost", "--port", "0"]);
        assert_eq!(cli.address.to_string(), "localhost:0");
    }
}
