//! Cutting a student's functions out of one Rust source file.
//!
//! The kit marks each function that reproduces a document function and that a student writes
//! with one comment, on the line directly above its `fn` line (after its doc comment and
//! attributes):
//!
//! ```text
//! // course: cut | <hint: what the body must do> | <guide/src/FILE.md#anchor>
//! ```
//!
//! [`cut`] replaces the body of every marked function by `todo!("<hint> (see <guide path>)")`
//! and keeps the marker, so that a starter can be cut again and [`pending`] can tell which
//! functions are still to write. Bodies are found by syn, which parses the file as the compiler
//! does: a brace inside a string, a raw string, a char or a comment never ends a body, and a
//! lifetime is never taken for a char. proc-macro2's span locations give each brace's line and
//! column.

use proc_macro2::LineColumn;
use syn::visit::Visit;

/// What a marker line starts with.
const MARKER: &str = "// course:";

/// One marked function.
#[derive(Clone, Debug, PartialEq)]
pub struct Marked {
    /// Its name, as written after `fn`.
    pub function: String,
    /// The line of its `fn`, counted from 1.
    pub line: usize,
    /// What its body must do, one sentence.
    pub hint: String,
    /// The guide section that explains it: `guide/src/lab03-broadcast.md#the-protocol`.
    pub guide: String,
    /// Whether its body is still the starter's `todo!`.
    pub pending: bool,
}

impl Marked {
    /// The `todo!` a starter's body holds, its message in the student's words.
    pub fn todo_message(&self) -> String {
        format!("{} (see {})", self.hint, self.guide)
    }
}

/// A marker's hint and guide path, from the line above a `fn`.
#[derive(Debug)]
struct Marker {
    hint: String,
    guide: String,
}

/// Reads a marker line; `None` if the line is no marker, an error sentence if it is a bad one.
fn marker(line: &str, number: usize) -> Option<Result<Marker, String>> {
    let rest = line.trim().strip_prefix(MARKER)?;
    let parts: Vec<&str> = rest.split('|').map(str::trim).collect();
    let shape = "`// course: cut | <hint> | <guide/src/FILE.md#anchor>`";
    Some(match parts.as_slice() {
        ["cut", hint, guide] if !hint.is_empty() => {
            if guide.starts_with("guide/src/") && guide.contains(".md#") {
                Ok(Marker {
                    hint: hint.to_string(),
                    guide: guide.to_string(),
                })
            } else {
                Err(format!(
                    "line {number}: the marker's guide section must be like \
                     guide/src/lab03-broadcast.md#the-protocol, not {guide:?}"
                ))
            }
        }
        _ => Err(format!("line {number}: a course marker reads {shape}")),
    })
}

/// Every marked function of `source`, in the order of the file.
pub fn pending(source: &str) -> Result<Vec<Marked>, String> {
    Ok(find(source)?
        .into_iter()
        .map(|(marked, _)| marked)
        .collect())
}

/// `source` with every marked function's body replaced by its `todo!`, and what was cut.
pub fn cut(source: &str) -> Result<(String, Vec<Marked>), String> {
    let found = find(source)?;
    let starts = line_starts(source);
    let mut text = String::with_capacity(source.len());
    let mut copied = 0;
    for (marked, body) in &found {
        let open = offset(source, &starts, body.open) + 1;
        let close = offset(source, &starts, body.close);
        let fn_line = source[starts[marked.line - 1]..]
            .lines()
            .next()
            .unwrap_or("");
        let indent: String = fn_line.chars().take_while(|c| c.is_whitespace()).collect();
        text.push_str(&source[copied..open]);
        text.push_str(&format!(
            "\n{indent}    todo!({})\n{indent}",
            format_literal(&marked.todo_message())
        ));
        copied = close;
    }
    text.push_str(&source[copied..]);
    let marked = found
        .into_iter()
        .map(|(marked, _)| Marked {
            pending: true,
            ..marked
        })
        .collect();
    Ok((text, marked))
}

/// A string literal that `todo!` prints as `text`: quoted and escaped like Rust's, and with the
/// braces doubled, since `todo!`'s first argument is a format string.
fn format_literal(text: &str) -> String {
    format!("{text:?}").replace('{', "{{").replace('}', "}}")
}

/// Where a function's body braces are.
struct Body {
    open: LineColumn,
    close: LineColumn,
}

/// The marked functions of `source` and their bodies; an error sentence for a marker that is
/// malformed, above no `fn`, or above a function a starter cannot hold.
fn find(source: &str) -> Result<Vec<(Marked, Body)>, String> {
    let lines: Vec<&str> = source.lines().collect();
    let candidates: Vec<usize> = (0..lines.len())
        .filter(|&index| lines[index].trim_start().starts_with(MARKER))
        .collect();
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let not_rust = |error: syn::Error| {
        let at = error.span().start();
        format!("line {}: not Rust that syn can read: {error}", at.line)
    };
    let file = syn::parse_file(source).map_err(not_rust)?;
    // A marker is a comment: a line inside a string (a test's fixture, a doc comment) is none.
    let tokens: proc_macro2::TokenStream = source
        .parse()
        .map_err(|error: proc_macro2::LexError| not_rust(error.into()))?;
    let mut in_literals = Vec::new();
    literal_lines(tokens, &mut in_literals);
    let mut markers = Vec::new();
    for index in candidates {
        let number = index + 1;
        if in_literals
            .iter()
            .any(|(first, last)| (*first..=*last).contains(&number))
        {
            continue;
        }
        if let Some(read) = marker(lines[index], number) {
            markers.push((number, read?));
        }
    }
    let mut functions = Functions::default();
    functions.visit_file(&file);

    let mut found = Vec::new();
    for (marker_line, marker) in markers {
        let Some(function) = functions.all.iter().find(|f| f.line == marker_line + 1) else {
            return Err(format!(
                "line {marker_line}: a course marker must be on the line directly above a \
                 function's `fn` line"
            ));
        };
        if function.returns_impl {
            return Err(format!(
                "line {marker_line}: {} returns `impl Trait`, which a `todo!` body cannot \
                 stand for; return a named type or mark another function",
                function.name
            ));
        }
        let Some(body) = &function.body else {
            return Err(format!(
                "line {marker_line}: {} has no body to cut",
                function.name
            ));
        };
        let inside = between(source, &line_starts(source), body);
        found.push((
            Marked {
                function: function.name.clone(),
                line: function.line,
                hint: marker.hint,
                guide: marker.guide,
                pending: is_todo(inside),
            },
            Body {
                open: body.open,
                close: body.close,
            },
        ));
    }
    Ok(found)
}

/// The first and last line of every literal in `tokens`, those inside macros and doc comments
/// included.
fn literal_lines(tokens: proc_macro2::TokenStream, found: &mut Vec<(usize, usize)>) {
    for token in tokens {
        match token {
            proc_macro2::TokenTree::Literal(literal) => {
                let span = literal.span();
                found.push((span.start().line, span.end().line));
            }
            proc_macro2::TokenTree::Group(group) => literal_lines(group.stream(), found),
            _ => {}
        }
    }
}

/// Whether a body is a starter's: nothing but a `todo!`.
fn is_todo(inside: &str) -> bool {
    let inside = inside.trim();
    inside.starts_with("todo!(") && inside.ends_with(')')
}

/// A function the visitor saw.
struct Function {
    name: String,
    line: usize,
    returns_impl: bool,
    body: Option<Body>,
}

/// Collects every function of a file: free, in an `impl`, with a default body in a trait, and in
/// nested modules.
#[derive(Default)]
struct Functions {
    all: Vec<Function>,
}

impl Functions {
    fn add(&mut self, signature: &syn::Signature, block: Option<&syn::Block>) {
        let returns_impl = match &signature.output {
            syn::ReturnType::Type(_, ty) => mentions_impl(ty),
            syn::ReturnType::Default => false,
        };
        self.all.push(Function {
            name: signature.ident.to_string(),
            line: signature.fn_token.span.start().line,
            returns_impl,
            body: block.map(|block| Body {
                open: block.brace_token.span.open().start(),
                close: block.brace_token.span.close().start(),
            }),
        });
    }
}

/// Whether a type says `impl Trait` anywhere in it.
fn mentions_impl(ty: &syn::Type) -> bool {
    struct Finds(bool);
    impl<'a> Visit<'a> for Finds {
        fn visit_type_impl_trait(&mut self, _: &'a syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finds = Finds(false);
    finds.visit_type(ty);
    finds.0
}

impl<'a> Visit<'a> for Functions {
    fn visit_item_fn(&mut self, item: &'a syn::ItemFn) {
        self.add(&item.sig, Some(&item.block));
        syn::visit::visit_item_fn(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'a syn::ImplItemFn) {
        self.add(&item.sig, Some(&item.block));
        syn::visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'a syn::TraitItemFn) {
        self.add(&item.sig, item.default.as_ref());
        syn::visit::visit_trait_item_fn(self, item);
    }
}

/// The byte offset of each line's start.
fn line_starts(source: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(source.match_indices('\n').map(|(at, _)| at + 1))
        .collect()
}

/// The byte offset of a span location (its line counts from 1, its column in characters).
fn offset(source: &str, starts: &[usize], at: LineColumn) -> usize {
    let start = starts[at.line - 1];
    source[start..]
        .char_indices()
        .nth(at.column)
        .map_or(source.len(), |(bytes, _)| start + bytes)
}

/// What lies between a body's braces.
fn between<'s>(source: &'s str, starts: &[usize], body: &Body) -> &'s str {
    &source[offset(source, starts, body.open) + 1..offset(source, starts, body.close)]
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIT: &str = r##"//! A module.

/// Echoes.
#[allow(clippy::needless_pass_by_value)]
// course: cut | send each line back until the peer closes | guide/src/lab01-echo.md#the-loop
pub fn echo(mut stream: Stream, name: &str) -> Result<(), Error> {
    let braces = "}{ \" }";
    let raw = r#"} "{"#;
    let brace = '}';
    let other: &'static str = "'{'";
    // } a brace in a comment
    /* { and a block comment } */
    if name.is_empty() { return Ok(()); }
    Ok(())
}

fn kept() -> u8 { 1 }

impl Server {
    // course: cut | say {hello} to "all" | guide/src/lab03-broadcast.md#the-protocol
    fn broadcast(&self, line: &str) {
        for member in &self.members { member.send(line); }
    }
}
"##;

    #[test]
    fn marked_bodies_become_todos_and_the_rest_is_untouched() {
        let (text, cuts) = cut(KIT).unwrap();
        assert_eq!(
            text,
            r##"//! A module.

/// Echoes.
#[allow(clippy::needless_pass_by_value)]
// course: cut | send each line back until the peer closes | guide/src/lab01-echo.md#the-loop
pub fn echo(mut stream: Stream, name: &str) -> Result<(), Error> {
    todo!("send each line back until the peer closes (see guide/src/lab01-echo.md#the-loop)")
}

fn kept() -> u8 { 1 }

impl Server {
    // course: cut | say {hello} to "all" | guide/src/lab03-broadcast.md#the-protocol
    fn broadcast(&self, line: &str) {
        todo!("say {{hello}} to \"all\" (see guide/src/lab03-broadcast.md#the-protocol)")
    }
}
"##
        );
        let names: Vec<_> = cuts.iter().map(|c| (c.function.as_str(), c.line)).collect();
        assert_eq!(names, [("echo", 6), ("broadcast", 21)]);
    }

    #[test]
    fn a_starter_is_pending_and_cuts_again_to_itself() {
        assert!(pending(KIT).unwrap().iter().all(|m| !m.pending));
        let (starter, _) = cut(KIT).unwrap();
        assert!(pending(&starter).unwrap().iter().all(|m| m.pending));
        assert_eq!(cut(&starter).unwrap().0, starter);
    }

    #[test]
    fn a_marker_away_from_its_fn_is_an_error() {
        let source = "// course: cut | do it | guide/src/a.md#b\n\nfn f() {}\n";
        assert_eq!(
            cut(source).unwrap_err(),
            "line 1: a course marker must be on the line directly above a function's `fn` line"
        );
    }

    #[test]
    fn a_malformed_marker_is_an_error() {
        let source = "// course: cut do it\nfn f() {}\n";
        assert!(
            cut(source)
                .unwrap_err()
                .starts_with("line 1: a course marker reads")
        );
        let source = "// course: cut | do it | lab01.md\nfn f() {}\n";
        assert!(cut(source).unwrap_err().contains("guide section"));
    }

    #[test]
    fn a_function_returning_impl_trait_cannot_be_cut() {
        let source = "// course: cut | do it | guide/src/a.md#b\nfn f() -> impl Iterator<Item = u8> { None.into_iter() }\n";
        assert!(cut(source).unwrap_err().contains("impl Trait"));
    }

    #[test]
    fn a_marker_in_a_string_or_a_macro_is_no_marker() {
        let source = "const A: &str = \"\n// course: cut | x | guide/src/a.md#b\n\";\n\
                      fn f() { assert_eq!(1, r\"\n// course: cut | x | guide/src/a.md#b\n\".len()); }\n";
        assert_eq!(cut(source).unwrap().0, source);
    }
}
