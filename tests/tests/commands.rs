//! Every command the guide prints can be typed as printed.
//!
//! (This test checks the names; tests/tests/typed runs the lines.)
//!
//! A reader copies the guide's `sh` blocks into a terminal, from the kit's root. This test reads
//! every line of every `sh` block and checks that what it names exists:
//!
//! - `cargo run|build|test -p PACKAGE ...`: a package of the workspace, cargo options that
//!   `cargo COMMAND --help` lists, an `--example` the package has, and, after `--`, the options
//!   of the program, as its own `--help` lists them (subcommands followed: `lab03 server --port`
//!   is checked against `lab03 server --help`);
//! - `target/release/PROGRAM ...`: a program of the workspace, its options as above;
//! - a script (`tools/bench/figures`, `scripts/...`): the file exists, its options in its
//!   `--help`;
//! - `python3 FILE`: the file exists (the documents' programs, under `../shared/seeds/py`);
//!   `python3 -c PROGRAM` is taken as printed;
//! - any other program (`nc`, `printf`, `kill`): a shell built-in, or a tool the introduction's
//!   "What you need" table says how to get.
//!
//! The programs' `--help` comes from the programs themselves, built here (debug builds: the
//! options are the same in release). Lab 04 is the exception: it needs FLTK, which `cargo test`
//! does not build, so only its package is checked. Linux only: lab 05 and bench are.
#![cfg(target_os = "linux")]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use harness::Printed;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// Every line of every `sh` block of the guide, comments and blank lines left out.
fn printed_commands() -> Vec<Printed> {
    harness::printed_commands(&root().join("guide/src"))
}

/// A command line as the shell splits it: quotes removed, a comment ended, and `|`, `&&` and
/// `;` splitting it into simple commands. Redirections (`</dev/null`, `>file`, `2>&1`) and a
/// final `&` are left out: they are the shell's, not the program's.
fn simple_commands(line: &str) -> Vec<Vec<String>> {
    let mut commands = vec![Vec::new()];
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    let finish = |word: &mut String, in_word: &mut bool, commands: &mut Vec<Vec<String>>| {
        if *in_word {
            let done = std::mem::take(word);
            let redirection = done.starts_with('<')
                || done.starts_with('>')
                || done.starts_with("2>")
                || done.starts_with("1>");
            if !redirection && done != "&" {
                commands.last_mut().unwrap().push(done);
            }
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    in_word = true;
                }
                '#' if !in_word => break,
                ' ' | '\t' => finish(&mut word, &mut in_word, &mut commands),
                '|' | ';' => {
                    finish(&mut word, &mut in_word, &mut commands);
                    commands.push(Vec::new());
                }
                '&' if chars.peek() == Some(&'&') => {
                    chars.next();
                    finish(&mut word, &mut in_word, &mut commands);
                    commands.push(Vec::new());
                }
                _ => {
                    word.push(c);
                    in_word = true;
                }
            },
        }
    }
    finish(&mut word, &mut in_word, &mut commands);
    commands.retain(|command| !command.is_empty());
    commands
}

/// The workspace's packages: each member's name, and its directory.
fn packages() -> BTreeMap<String, PathBuf> {
    let mut packages = BTreeMap::new();
    for group in ["labs", "tools"] {
        for entry in fs::read_dir(root().join(group)).expect("the workspace's folders") {
            let dir = entry.expect("a readable folder").path();
            if let Some(name) = package_name(&dir) {
                packages.insert(name, dir);
            }
        }
    }
    packages.insert("harness".to_string(), root().join("tests"));
    packages
}

fn package_name(dir: &Path) -> Option<String> {
    let manifest = fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    manifest
        .lines()
        .find_map(|line| line.strip_prefix("name = \""))
        .map(|rest| rest.trim_end_matches('"').to_string())
}

/// The programs whose `--help` the checks read, built once: every binary and example of the
/// packages the guide runs (the labs, bench, course), lab 04 aside.
fn built() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--bins", "--examples"])
            .args(["-p", "lab01", "-p", "lab02", "-p", "lab03", "-p", "lab05"])
            .args(["-p", "bench", "-p", "course"])
            .current_dir(root())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the guide's programs failed");
        // This test runs from target/<profile>/deps; the programs are in target/<profile>.
        let exe = std::env::current_exe().expect("the test knows where it is");
        exe.parent()
            .and_then(Path::parent)
            .expect("target/<profile>")
            .to_path_buf()
    })
}

/// `program args --help`, stdout and stderr together.
fn help(program: &Path, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .arg("--help")
        .current_dir(root())
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", program.display()));
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    text
}

/// Whether `help` names `option` (`--port`, `-n`) as a whole word: `--port` is not `--ports`.
fn mentions(help: &str, option: &str) -> bool {
    help.match_indices(option).any(|(at, _)| {
        let before = help[..at].chars().next_back();
        let after = help[at + option.len()..].chars().next();
        let ends = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '-'));
        ends(before) && ends(after)
    })
}

/// The subcommands a help text lists under `Commands:`.
fn subcommands(help: &str) -> BTreeSet<String> {
    help.lines()
        .skip_while(|line| line.trim() != "Commands:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Checks a program's arguments against its `--help`, following its subcommands; returns what
/// is wrong, as sentences.
fn check_arguments(program: &Path, args: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut path: Vec<&str> = Vec::new();
    let mut text = help(program, &path);
    for arg in args {
        if arg.starts_with('-') && arg != "-" && arg != "--" {
            let option = arg.split('=').next().unwrap_or(arg);
            if !mentions(&text, option) {
                problems.push(format!(
                    "{} {} --help does not list {option}",
                    program.display(),
                    path.join(" ")
                ));
            }
        } else if subcommands(&text).contains(arg.as_str()) {
            path.push(arg);
            text = help(program, &path);
        }
    }
    problems
}

/// The tools the introduction's "What you need" table names, in backquotes in its first column.
fn tools_listed() -> BTreeSet<String> {
    let intro = fs::read_to_string(root().join("guide/src/introduction.md")).expect("intro");
    let table = intro
        .split("### What you need")
        .nth(1)
        .expect("the introduction has a \"What you need\" section");
    table
        .lines()
        .filter(|line| line.starts_with("| "))
        .filter_map(|line| line.split('|').nth(1))
        .flat_map(|cell| cell.split('`').skip(1).step_by(2).map(str::to_string))
        .collect()
}

/// The shell's own commands the guide uses.
const BUILT_INS: &[&str] = &["kill", "printf", "fg", "cd", "export"];

/// What is wrong with one simple command, as sentences.
fn check(command: &[String], packages: &BTreeMap<String, PathBuf>) -> Vec<String> {
    // Variables set for the command (`PORT=9999 python3 ...`) and `sudo` are the shell's.
    let mut words: &[String] = command;
    while let Some(first) = words.first() {
        let assignment = first.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        });
        if assignment || first == "sudo" {
            words = &words[1..];
        } else {
            break;
        }
    }
    let Some((program, args)) = words.split_first() else {
        return vec!["nothing to run".to_string()];
    };
    let program = program.as_str();
    if program == "cargo" {
        return check_cargo(args, packages);
    }
    if let Some(name) = program
        .strip_prefix("target/release/")
        .or_else(|| program.strip_prefix("target/debug/"))
    {
        let binary = built().join(name);
        if !binary.exists() {
            return vec![format!(
                "no package of the workspace builds a program {name}"
            )];
        }
        return check_arguments(&binary, args);
    }
    if program == "python3" {
        return match args.first() {
            // A program given on the line itself (`python3 -c "import socket; ..."`).
            Some(flag) if flag == "-c" && args.len() > 1 => Vec::new(),
            Some(script) if root().join(script).is_file() => Vec::new(),
            Some(script) => vec![format!("{script} does not exist (from the kit's root)")],
            None => vec!["python3 without a script".to_string()],
        };
    }
    if program.contains('/') {
        let script = root().join(program);
        if !script.is_file() {
            return vec![format!("{program} does not exist")];
        }
        return check_arguments(&script, args);
    }
    if BUILT_INS.contains(&program) || tools_listed().contains(program) {
        return Vec::new();
    }
    vec![format!(
        "{program} is neither the shell's nor listed in the introduction's \"What you need\""
    )]
}

/// `cargo run|build|test`: its options, its packages, and the program's arguments after `--`.
fn check_cargo(args: &[String], packages: &BTreeMap<String, PathBuf>) -> Vec<String> {
    let mut problems = Vec::new();
    let (own, program_args) = match args.iter().position(|arg| arg == "--") {
        Some(at) => (&args[..at], &args[at + 1..]),
        None => (args, &[][..]),
    };
    let Some((subcommand, options)) = own.split_first() else {
        return vec!["cargo without a command".to_string()];
    };
    if !["run", "build", "test"].contains(&subcommand.as_str()) {
        return vec![format!(
            "cargo {subcommand}: not a command the guide should need"
        )];
    }
    let cargo_help = help(Path::new(env!("CARGO")), &[subcommand]);
    let mut chosen: Vec<&str> = Vec::new();
    let mut example = None;
    let mut options = options.iter();
    while let Some(option) = options.next() {
        if !option.starts_with('-') {
            continue;
        }
        if !mentions(&cargo_help, option) {
            problems.push(format!("cargo {subcommand} --help does not list {option}"));
        }
        match option.as_str() {
            "-p" | "--package" => chosen.extend(options.next().map(String::as_str)),
            "--example" => example = options.next(),
            "--test" | "--bin" => {
                options.next();
            }
            _ => {}
        }
    }
    for package in &chosen {
        if !packages.contains_key(*package) {
            problems.push(format!("no package {package} in the workspace"));
        }
    }
    if subcommand != "run" || !problems.is_empty() {
        return problems;
    }
    let [package] = chosen[..] else {
        return vec!["cargo run names one package".to_string()];
    };
    if package == "lab04" {
        // Needs FLTK, which `cargo test` does not build: its package is checked, not its options.
        return problems;
    }
    let program = match example {
        Some(example) => {
            let source = packages[package]
                .join("examples")
                .join(format!("{example}.rs"));
            if !source.is_file() {
                return vec![format!("{package} has no example {example}")];
            }
            built().join("examples").join(example)
        }
        None => built().join(package),
    };
    if !program.exists() {
        return vec![format!(
            "{} was not built: add {package} to the packages this test builds",
            program.display()
        )];
    }
    check_arguments(&program, program_args)
}

#[test]
fn every_command_the_guide_prints_names_real_programs_and_options() {
    let packages = packages();
    let printed = printed_commands();
    assert!(printed.len() > 20, "found only {} commands", printed.len());
    let mut problems = Vec::new();
    for Printed { chapter, line } in &printed {
        for command in simple_commands(line) {
            for problem in check(&command, &packages) {
                problems.push(format!("{chapter}: `{line}`: {problem}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_shell_words_are_split_as_the_shell_splits_them() {
    assert_eq!(
        simple_commands(
            "target/release/lab03 server --port 9090 </dev/null >/tmp/room.log 2>&1 &   # the room"
        ),
        [["target/release/lab03", "server", "--port", "9090"]]
    );
    assert_eq!(
        simple_commands(r"printf 'Mina\nfirst\n' | nc 127.0.0.1 9090"),
        [
            vec![r"printf", r"Mina\nfirst\n"],
            vec!["nc", "127.0.0.1", "9090"]
        ]
    );
    assert_eq!(
        simple_commands(r#"LAB03_SERVER="python3 ~/s.py" cargo test -p lab03"#),
        [[
            "LAB03_SERVER=python3 ~/s.py",
            "cargo",
            "test",
            "-p",
            "lab03"
        ]]
    );
}

#[test]
fn a_wrong_package_option_or_script_is_caught() {
    let packages = packages();
    let wrong = |line: &str| -> Vec<String> {
        simple_commands(line)
            .iter()
            .flat_map(|command| check(command, &packages))
            .collect()
    };
    assert_eq!(
        wrong("cargo run -p lab09 -- server"),
        ["no package lab09 in the workspace"]
    );
    assert_eq!(
        wrong("cargo run -p lab03 -- server --prot 9090").len(),
        1,
        "a misspelt option of a subcommand"
    );
    assert_eq!(wrong("cargo run --relase -p lab01 -- server").len(), 1);
    assert_eq!(
        wrong("tools/bench/figurez --runs 1"),
        ["tools/bench/figurez does not exist"]
    );
    assert_eq!(wrong("tools/bench/figures --rounds 1").len(), 1);
    assert_eq!(
        wrong("target/release/bench --members 5 -m 1"),
        Vec::<String>::new()
    );
    assert_eq!(wrong("target/release/bench --memberz 5").len(), 1);
    assert_eq!(
        wrong("python3 seed001_room/server.py"),
        ["seed001_room/server.py does not exist (from the kit's root)"]
    );
    assert_eq!(wrong("telnet 127.0.0.1 9090").len(), 1);
    assert_eq!(wrong("nc 127.0.0.1 9090"), Vec::<String>::new());
}
