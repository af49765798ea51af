//! `course`: the kit as a course. Not a stage: a tool for students and instructors.
//!
//! - `course starter DIR` writes a student's workspace, the functions that reproduce the
//!   documents' functions cut to `todo!` with a hint ([`starter`], [`cut`]);
//! - `course progress` runs every stage's suite and says what to do next ([`progress`]);
//! - `course grade NN [--server CMD] [--client CMD] [--json FILE]` scores one stage, of a
//!   workspace or of any command line, by protocol rule ([`grade`], [`rules`], [`report`]).
//!
//! Errors are sentences on stderr and exit status 1.

mod cut;
mod grade;
mod progress;
mod report;
mod rules;
mod score;
mod starter;
mod suite;
mod trim;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The kit as a course: a student's starter, progress with hints, and an instructor's grade.
#[derive(Parser)]
#[command(name = "course")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a student's workspace into DIR: the kit, with the functions to write cut to todo!.
    Starter {
        /// A folder that does not exist yet, or is empty.
        dir: PathBuf,
    },
    /// Run every stage's suite here and show what passes, and the next thing to do.
    Progress,
    /// Grade one stage here, or any command line in place of its server or client.
    Grade {
        /// The stage: 03 (or 3, or lab03).
        stage: String,
        /// A command line to grade instead of the stage's server (any language); the suite
        /// appends its arguments, such as --port 0. Run from the current folder.
        #[arg(long, value_name = "CMD")]
        server: Option<String>,
        /// A command line to grade instead of the stage's client.
        #[arg(long, value_name = "CMD")]
        client: Option<String>,
        /// Also write the grade as JSON, for a spreadsheet.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("course: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let root = workspace::root()?;
    match cli.command {
        Command::Starter { dir } => {
            let written = starter::write(&root, &dir)?;
            for warning in &written.warnings {
                eprintln!("course: warning: {warning}");
            }
            let cuts = written.files;
            let count: usize = cuts.iter().map(|file| file.cuts.len()).sum();
            println!(
                "wrote a starter in {}: {count} functions to write",
                dir.display()
            );
            for file in &cuts {
                let names: Vec<_> = file.cuts.iter().map(|c| c.function.as_str()).collect();
                println!("  {}: {}", file.path.display(), names.join(", "));
            }
            println!(
                "next: cd {} && cargo run -p course -- progress",
                dir.display()
            );
        }
        Command::Progress => print!("{}", progress::progress(&root)?),
        Command::Grade {
            stage,
            server,
            client,
            json,
        } => {
            let stage = workspace::stage(&root, &stage)?;
            // Before the suite's minute, not after it.
            if let Some(file) = &json {
                std::fs::write(file, "")
                    .map_err(|error| format!("{} cannot be written: {error}", file.display()))?;
            }
            let score = grade::grade(&root, &stage, grade::Commands { server, client })?;
            print!("{}", report::markdown(&score));
            if let Some(file) = json {
                let text = serde_json::to_string_pretty(&report::json(&score))
                    .map_err(|error| format!("the grade cannot be written as JSON: {error}"))?;
                std::fs::write(&file, text + "\n")
                    .map_err(|error| format!("{} cannot be written: {error}", file.display()))?;
            }
        }
    }
    Ok(())
}
