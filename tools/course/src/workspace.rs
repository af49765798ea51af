//! The kit's workspace, or a student's: where it is, its stages, its files.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A stage: one folder of `labs/` with a number, such as `labs/03-broadcast` (package `lab03`).
#[derive(Clone, Debug)]
pub struct Stage {
    /// `03`.
    pub number: String,
    /// `lab03`.
    pub package: String,
    /// The stage's folder, relative to the workspace: `labs/03-broadcast`.
    pub folder: PathBuf,
}

/// The workspace around the current folder: the nearest folder upwards whose Cargo.toml has a
/// `[workspace]` table.
pub fn root() -> Result<PathBuf, String> {
    let here = std::env::current_dir()
        .map_err(|error| format!("the current folder cannot be read: {error}"))?;
    here.ancestors()
        .find(|folder| {
            fs::read_to_string(folder.join("Cargo.toml"))
                .is_ok_and(|text| text.lines().any(|line| line.trim() == "[workspace]"))
        })
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "{} is not inside the kit or a starter: run course from a folder of one",
                here.display()
            )
        })
}

/// The workspace's stages, in order: the folders `labs/NN-*` with a Cargo.toml.
pub fn stages(root: &Path) -> Result<Vec<Stage>, String> {
    let labs = root.join("labs");
    let entries = fs::read_dir(&labs)
        .map_err(|error| format!("{} cannot be read: {error}", labs.display()))?;
    let mut stages: Vec<Stage> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let number: String = name.chars().take_while(char::is_ascii_digit).collect();
            let is_stage = !number.is_empty() && entry.path().join("Cargo.toml").is_file();
            is_stage.then(|| Stage {
                package: format!("lab{number}"),
                number,
                folder: PathBuf::from("labs").join(&name),
            })
        })
        .collect();
    stages.sort_by(|a, b| a.number.cmp(&b.number));
    Ok(stages)
}

/// The stage numbered `number` (`3`, `03` or `lab03`).
pub fn stage(root: &Path, number: &str) -> Result<Stage, String> {
    let wanted = number.trim_start_matches("lab");
    let all = stages(root)?;
    all.iter()
        .find(|stage| stage.number.trim_start_matches('0') == wanted.trim_start_matches('0'))
        .cloned()
        .ok_or_else(|| {
            let known: Vec<_> = all.iter().map(|s| s.number.as_str()).collect();
            format!(
                "there is no stage {number} here: the stages are {}",
                known.join(", ")
            )
        })
}

/// The workspace's own files, relative to `root`: those git tracks, or, outside a git
/// repository, every file but `.git` and `target`.
pub fn files(root: &Path) -> Result<Vec<PathBuf>, String> {
    let listed = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "-z", "--cached"])
        .output();
    if let Ok(output) = listed
        && output.status.success()
    {
        let text = String::from_utf8_lossy(&output.stdout);
        return Ok(text
            .split('\0')
            .filter(|path| !path.is_empty())
            .map(PathBuf::from)
            // Tracked but deleted in the work tree: nothing to copy.
            .filter(|path| root.join(path).is_file())
            .collect());
    }
    let mut found = Vec::new();
    walk(root, Path::new(""), &mut found)?;
    found.sort();
    Ok(found)
}

fn walk(root: &Path, relative: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
    let folder = root.join(relative);
    let entries = fs::read_dir(&folder)
        .map_err(|error| format!("{} cannot be read: {error}", folder.display()))?;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        if name == ".git" || name == "target" {
            continue;
        }
        let path = relative.join(&name);
        if entry.path().is_dir() {
            walk(root, &path, found)?;
        } else {
            found.push(path);
        }
    }
    Ok(())
}
