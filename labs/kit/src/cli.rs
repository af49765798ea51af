//! The command-line options every lab shares.

use std::fmt;

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
    #[arg(long, default_value_t = PORT)]
    pub port: u16,
}

impl<const PORT: u16> fmt::Display for Address<PORT> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
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

    #[test]
    fn host_and_port_can_be_changed() {
        let cli = Cli::parse_from(["lab", "--host", "localhost", "--port", "0"]);
        assert_eq!(cli.address.to_string(), "localhost:0");
    }
}
