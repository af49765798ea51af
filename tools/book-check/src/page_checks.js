// Run inside each page of the book once it has loaded (book-check's browser pass). It returns,
// as JSON, what a reader would see go wrong: an image that did not load, a mermaid diagram
// that did not become a picture, a code block whose lines run past its column (its end is
// hidden behind a scroll bar). The script errors are caught outside, by the DevTools protocol.
(() => {
  const problems = [];
  const firstLine = (element) => {
    const line = (element.textContent || "").trim().split("\n")[0];
    return line.length > 60 ? line.slice(0, 60) + "..." : line;
  };

  for (const img of document.images) {
    if (!img.complete || img.naturalWidth === 0) {
      problems.push(`the image ${img.getAttribute("src")} did not load`);
    }
  }

  const diagrams = document.querySelectorAll("main pre.mermaid");
  let rendered = 0;
  for (const diagram of diagrams) {
    const svg = diagram.querySelector("svg");
    if (!svg) {
      problems.push(`a mermaid diagram did not render: "${firstLine(diagram)}"`);
    } else if (svg.getAttribute("aria-roledescription") === "error") {
      problems.push(`a mermaid diagram has a syntax error: "${firstLine(diagram)}"`);
    } else {
      rendered += 1;
      if (svg.getBoundingClientRect().width > diagram.clientWidth + 1) {
        problems.push(`a mermaid diagram is wider than its column: "${firstLine(diagram)}"`);
      }
    }
  }

  const blocks = [...document.querySelectorAll("main pre")].filter(
    (pre) => !pre.classList.contains("mermaid"),
  );
  for (const pre of blocks) {
    const code = pre.querySelector("code");
    for (const element of code ? [pre, code] : [pre]) {
      if (element.scrollWidth > element.clientWidth + 1) {
        problems.push(
          `a code block is ${element.scrollWidth}px wide in a ${element.clientWidth}px column: "${firstLine(pre)}"`,
        );
        break;
      }
    }
  }

  // mdbook puts each table in a wrapper that scrolls sideways: a table wider than the column
  // hides its last columns the same way.
  for (const wrapper of document.querySelectorAll("main .table-wrapper")) {
    if (wrapper.scrollWidth > wrapper.clientWidth + 1) {
      problems.push(
        `a table is ${wrapper.scrollWidth}px wide in a ${wrapper.clientWidth}px column: "${firstLine(wrapper)}"`,
      );
    }
  }

  // The editions: every page offers the other two (theme/editions.js), and an Arabic or
  // Persian page is laid out right to left, with its code and transcripts left to right.
  const switchLinks = document.querySelectorAll("#menu-bar nav.editions a[href]");
  if (document.getElementById("menu-bar") && switchLinks.length !== 2) {
    problems.push(`the language switch has ${switchLinks.length} links to other editions, not 2`);
  }
  const lang = document.documentElement.lang;
  if (lang === "ar" || lang === "fa") {
    if (document.documentElement.dir !== "rtl" || getComputedStyle(document.body).direction !== "rtl") {
      problems.push(`the ${lang} page is not laid out right to left (html dir="${document.documentElement.dir}")`);
    }
    for (const pre of blocks) {
      if (getComputedStyle(pre).direction !== "ltr") {
        problems.push(`a code block of the ${lang} page runs right to left: "${firstLine(pre)}"`);
        break;
      }
    }
  }

  return JSON.stringify({
    problems,
    images: document.images.length,
    diagrams: diagrams.length,
    rendered,
    codeBlocks: blocks.length,
    height: Math.ceil(document.documentElement.scrollHeight),
  });
})()
