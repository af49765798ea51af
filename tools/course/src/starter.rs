//! `course starter DIR`: a student's workspace, cut from the kit's own source.
//!
//! Every file the kit tracks is copied (the labs, the harness, the suites, the guide, this
//! tool), except lab 05: the tuned room holds a finished `receive`, `handle` and `broadcast`,
//! the answers to lab 03. In every Rust file, each function marked `// course: cut | ...` gets a
//! `todo!` body ([`crate::cut`]). What the cut bodies used (their arguments, the helpers and
//! imports only they called) is unused until the student writes them back: the starter's
//! workspace lints allow the `unused` group, so that it builds without a warning, and say so.

use std::fs;
use std::path::{Path, PathBuf};

use crate::cut::{self, Marked};
use crate::workspace;

/// Left out of a starter: lab 05's room would hand over lab 03's answers.
const LEFT_OUT: &[&str] = &["labs/05-scale/"];

/// What the starter's workspace Cargo.toml adds under `[workspace.lints.rust]`.
const ALLOW_UNUSED: &str = "# The starter: the functions still to write (their bodies are `todo!`) leave their arguments,\n\
# helpers and imports unused until they are written. Remove this line once they all are.\n\
unused = { level = \"allow\", priority = -1 }\n";

/// One file's cuts.
pub struct FileCuts {
    pub path: PathBuf,
    pub cuts: Vec<Marked>,
}

/// What a starter was written with.
pub struct Written {
    pub files: Vec<FileCuts>,
    /// Markers whose guide section is no heading of its chapter: the hint points nowhere.
    pub warnings: Vec<String>,
}

/// Writes a starter from the kit at `kit` into `dir`, which must not exist or be empty.
pub fn write(kit: &Path, dir: &Path) -> Result<Written, String> {
    if dir.exists() {
        let empty = fs::read_dir(dir)
            .map_err(|error| format!("{} cannot be read: {error}", dir.display()))?
            .next()
            .is_none();
        if !empty {
            return Err(format!(
                "{} already exists and is not empty: give a new folder for the starter",
                dir.display()
            ));
        }
    }
    let mut all = Vec::new();
    let mut warnings = Vec::new();
    for path in workspace::files(kit)? {
        let shown = path.to_string_lossy().replace('\\', "/");
        if LEFT_OUT.iter().any(|left| shown.starts_with(left)) || shown.ends_with(".snap.new") {
            continue;
        }
        let from = kit.join(&path);
        let to = dir.join(&path);
        if let Some(folder) = to.parent() {
            fs::create_dir_all(folder)
                .map_err(|error| format!("{} cannot be created: {error}", folder.display()))?;
        }
        let read_error = |error| format!("{} cannot be read: {error}", from.display());
        let contents = if shown.ends_with(".rs") {
            let source = fs::read_to_string(&from).map_err(read_error)?;
            let (text, cuts) = cut::cut(&source).map_err(|error| format!("{shown}, {error}"))?;
            warnings.extend(check_guide_sections(kit, &shown, &cuts)?);
            if !cuts.is_empty() {
                all.push(FileCuts {
                    path: path.clone(),
                    cuts,
                });
            }
            text.into_bytes()
        } else if shown == "Cargo.toml" {
            let manifest = fs::read_to_string(&from).map_err(read_error)?;
            allow_unused(&without_left_out(&manifest)).into_bytes()
        } else {
            fs::read(&from).map_err(read_error)?
        };
        fs::write(&to, contents)
            .map_err(|error| format!("{} cannot be written: {error}", to.display()))?;
        copy_permissions(&from, &to);
    }
    Ok(Written {
        files: all,
        warnings,
    })
}

/// The workspace manifest with the `unused` lints allowed (see [`ALLOW_UNUSED`]).
fn allow_unused(manifest: &str) -> String {
    let table = "[workspace.lints.rust]\n";
    match manifest.find(table) {
        Some(at) => {
            let after = at + table.len();
            format!("{}{ALLOW_UNUSED}{}", &manifest[..after], &manifest[after..])
        }
        None => format!("{manifest}\n{table}{ALLOW_UNUSED}"),
    }
}

/// The workspace manifest without the folders left out of the starter (in `default-members`).
fn without_left_out(manifest: &str) -> String {
    let mut text = manifest.to_string();
    for left in LEFT_OUT {
        let quoted = format!("\"{}\"", left.trim_end_matches('/'));
        text = text
            .lines()
            .filter(|line| line.trim().trim_end_matches(',') != quoted)
            .map(|line| {
                line.replace(&format!("{quoted}, "), "")
                    .replace(&quoted, "")
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
    }
    text
}

/// Scripts stay executable.
fn copy_permissions(from: &Path, to: &Path) {
    if let Ok(metadata) = fs::metadata(from) {
        let _ = fs::set_permissions(to, metadata.permissions());
    }
}

/// Every marker's guide section exists: the chapter (or the starter is not written), and a
/// heading whose anchor it names (or a warning says which does not).
fn check_guide_sections(kit: &Path, file: &str, cuts: &[Marked]) -> Result<Vec<String>, String> {
    let mut warnings = Vec::new();
    for marked in cuts {
        let (chapter, anchor) = marked
            .guide
            .split_once('#')
            .unwrap_or((marked.guide.as_str(), ""));
        let text = fs::read_to_string(kit.join(chapter)).map_err(|_| {
            format!(
                "{file}:{}: the marker of {} names {chapter}, which does not exist",
                marked.line, marked.function
            )
        })?;
        let anchors: Vec<String> = text
            .lines()
            .filter(|line| line.starts_with('#'))
            .map(|line| slug(line.trim_start_matches('#')))
            .collect();
        if !anchors.iter().any(|a| a == anchor) {
            warnings.push(format!(
                "{file}:{}: the marker of {} names #{anchor}, which is no heading of {chapter}",
                marked.line, marked.function
            ));
        }
    }
    Ok(warnings)
}

/// The anchor mdBook gives a heading: its explicit `{#id}` if it has one (the headings links
/// point to carry one, so that translated editions keep it), or else lower case, spaces as `-`,
/// only letters, digits, `-` and `_` kept.
fn slug(heading: &str) -> String {
    if let Some(id) = heading
        .trim()
        .strip_suffix('}')
        .and_then(|rest| rest.rsplit_once("{#"))
    {
        return id.1.to_string();
    }
    heading
        .trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_mdbooks_anchors() {
        assert_eq!(slug(" The protocol"), "the-protocol");
        assert_eq!(
            slug(" Defect 1: one `recv(1024)` is taken as one message"),
            "defect-1-one-recv1024-is-taken-as-one-message"
        );
    }

    #[test]
    fn the_manifest_names_no_folder_left_out() {
        let manifest = "default-members = [\n    \"labs/03-broadcast\",\n    \"labs/05-scale\",\n]\nother = [\"labs/05-scale\", \"tests\"]\n";
        assert_eq!(
            without_left_out(manifest),
            "default-members = [\n    \"labs/03-broadcast\",\n]\nother = [\"tests\"]\n"
        );
    }

    #[test]
    fn the_manifest_allows_unused_under_its_rust_lints() {
        let manifest = "[workspace]\n\n[workspace.lints.rust]\nunsafe_code = \"deny\"\n";
        let allowed = allow_unused(manifest);
        assert!(allowed.starts_with("[workspace]\n\n[workspace.lints.rust]\n# The starter"));
        assert!(allowed.ends_with("priority = -1 }\nunsafe_code = \"deny\"\n"));
    }
}
