//! A conversation: the programs and members of one test, and the log of its steps.

use std::fmt::Display;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

use crate::peer::Peer;
use crate::process::{Process, Role};

/// One test's programs and members, and the numbered log of what happened, which is what a
/// failing test prints.
#[derive(Clone)]
pub struct Conversation {
    name: Arc<str>,
    steps: Arc<Mutex<Vec<String>>>,
}

impl Conversation {
    /// A conversation named after what it checks: `"lab02: Deemah and Honen chat"`.
    pub fn new(name: &str) -> Self {
        Conversation {
            name: name.into(),
            steps: Arc::default(),
        }
    }

    /// Starts `role` with `args`; see [`Role`].
    pub fn start(&self, role: Role, args: &[&str]) -> Process {
        Process::start(self.clone(), role, args)
    }

    /// Connects a raw TCP member named `label` to `address`, like `nc` would.
    pub fn connect(&self, label: &str, address: SocketAddr) -> Peer {
        Peer::connect(self.clone(), label, address)
    }

    /// Waits (within the time limit) for a program to connect to `listener`, and returns the
    /// raw TCP member named `label` that answers it, like `nc -l` would: a fake server.
    pub fn accept(&self, label: &str, listener: &TcpListener) -> Peer {
        Peer::accept(self.clone(), label, listener)
    }

    /// Adds a step to the log.
    pub fn step(&self, what: impl Display) {
        let mut steps = self.steps.lock().unwrap_or_else(|e| e.into_inner());
        steps.push(what.to_string());
    }

    /// Fails the test: the conversation, its steps so far, and `details` (what was expected and
    /// what arrived).
    pub fn fail(&self, details: &str) -> ! {
        let steps = self.steps.lock().unwrap_or_else(|e| e.into_inner());
        let mut report = format!(
            "\nconversation \"{}\" failed at step {}\n",
            self.name,
            steps.len()
        );
        for (number, step) in steps.iter().enumerate() {
            report.push_str(&format!("  {:>3}. {step}\n", number + 1));
        }
        report.push_str(details);
        panic!("{report}");
    }
}
