//! What the window tests share: the display, the stand-in server, the lab 03 server and the
//! client under test.

pub mod display;
/// The window's geometry, from the program's own source: where a test finds each widget.
#[path = "../../src/layout.rs"]
#[allow(dead_code)]
pub mod layout;
pub mod picture;
pub mod stand_in;

use std::path::{Path, PathBuf};
use std::process::Command;

use harness::{Conversation, Process, Role};

pub use display::Display;
pub use stand_in::{Manner, StandIn};

/// Starts the lab04 client on `display`, connected to `port`, with `args` after those.
/// `--echo` makes it print every line its chat area shows, which is how the tests read the window.
pub fn start_client(talk: &Conversation, display: &Display, port: u16, args: &[&str]) -> Process {
    let on_display = format!("DISPLAY={}", display.name());
    let client = Role::program(
        "lab04",
        "env",
        &[&on_display, env!("CARGO_BIN_EXE_lab04"), "--echo"],
    );
    let port = port.to_string();
    let mut all = vec!["--port", port.as_str()];
    all.extend_from_slice(args);
    talk.start(client, &all)
}

/// The lab 03 room server: `LAB03_SERVER`'s command line if it is set, or else the kit's own
/// `lab03`, built now by a nested `cargo build` (lab04 does not depend on lab03, so cargo has not
/// built it for this test). The nested cargo does not wait on the outer one: `cargo test` holds
/// no lock on the target directory while the tests run.
pub fn lab03_server() -> Role {
    let own = lab04_dir().join(if cfg!(windows) { "lab03.exe" } else { "lab03" });
    if std::env::var_os(Role::variable("lab03", "server")).is_none() {
        build_lab03();
    }
    Role::resolve(
        "lab03",
        "server",
        own.to_str().expect("a UTF-8 target path"),
    )
}

/// The folder cargo put lab04 in (`target/debug`), where it puts lab03 too.
fn lab04_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_lab04"))
        .parent()
        .expect("lab04 is in a folder")
        .to_path_buf()
}

fn build_lab03() {
    let dir = lab04_dir();
    let target_dir = dir
        .parent()
        .expect("the profile folder is in the target folder");
    // `target/debug` is the `dev` profile's folder; any other profile's folder has its name.
    let profile = match dir.file_name().and_then(|name| name.to_str()) {
        Some("debug") | None => "dev".to_string(),
        Some(name) => name.to_string(),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "-p",
            "lab03",
            "--bin",
            "lab03",
            "--profile",
        ])
        .arg(&profile)
        .arg("--target-dir")
        .arg(target_dir)
        .status()
        .expect("run cargo to build lab03");
    assert!(status.success(), "`cargo build -p lab03` failed: {status}");
}

/// Where a test keeps its photograph `name` of the window: the target folder. The lab 03
/// conversation's picture is the guide's too, copied there only when
/// `LAB04_GUIDE_SCREENSHOT=1`, so that running the tests never changes the repository by
/// surprise.
pub fn screenshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// The guide's picture of the window, when this run is asked to refresh it.
pub fn guide_picture() -> Option<PathBuf> {
    std::env::var("LAB04_GUIDE_SCREENSHOT")
        .is_ok_and(|value| value == "1")
        .then(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guide/src/images/lab04-window.png")
        })
}

/// Checks that `path` holds a PNG picture of at least `width` x `height` pixels.
pub fn assert_png(path: &Path, width: u32, height: u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 24,
        "{} is not a PNG file",
        path.display()
    );
    let size = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    let (got_width, got_height) = (size(16), size(20));
    assert!(
        got_width >= width && got_height >= height,
        "{} is {got_width}x{got_height}, smaller than the window's {width}x{height}",
        path.display()
    );
}
