//! The few things the link check needs from a built page: its links and its anchors.
//!
//! mdbook's output is regular: every attribute is written `name="value"`, and every `"`, `<`
//! or `&` inside a code block or a text is escaped, so an attribute cannot appear by accident
//! in a page's text. A scan for ` name="` is enough; no HTML parser is needed.

use std::collections::BTreeSet;

/// Every value of the attribute `name` in `html`, in order, with its entities decoded.
pub fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let mut values = Vec::new();
    for separator in [' ', '\n', '\t'] {
        let needle = format!("{separator}{name}=\"");
        let mut rest = html;
        while let Some(start) = rest.find(&needle) {
            let after = &rest[start + needle.len()..];
            let Some(end) = after.find('"') else { break };
            values.push(decode_entities(&after[..end]));
            rest = &after[end..];
        }
    }
    values
}

/// The anchors a link can point to in this page: every `id` (mdbook gives one to each heading).
pub fn anchors(html: &str) -> BTreeSet<String> {
    attribute_values(html, "id").into_iter().collect()
}

/// Every link target of the page: `href`s and `src`s.
pub fn link_targets(html: &str) -> Vec<String> {
    let mut targets = attribute_values(html, "href");
    targets.extend(attribute_values(html, "src"));
    targets
}

/// The entities mdbook writes inside attribute values, back to their characters.
fn decode_entities(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A URL's `%XX` escapes back to the UTF-8 text they encode (Arabic anchors are written so).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_and_anchors_but_not_escaped_text() {
        let page = r##"<h2 id="the-protocol"><a class="header" href="#the-protocol">x</a></h2>
<img src="images/a.svg" alt="a">
<pre><code>&lt;a href=&quot;nowhere.html&quot;&gt;</code></pre>
<a
href="lab03.html#a&amp;b">y</a>"##;
        assert_eq!(
            link_targets(page),
            vec!["#the-protocol", "lab03.html#a&b", "images/a.svg"]
        );
        assert_eq!(
            anchors(page).into_iter().collect::<Vec<_>>(),
            vec!["the-protocol"]
        );
    }

    #[test]
    fn percent_escapes_become_text_again() {
        assert_eq!(percent_decode("%D8%B3%D9%84%D8%A7%D9%85"), "سلام");
        assert_eq!(percent_decode("a%20b%zz%"), "a b%zz%");
    }
}
