// The language switch: on every page of every edition, links to the same page in the other
// editions. The English book is built in book/, its Arabic and Persian editions in book/ar/ and
// book/fa/ (scripts/check-book), so each edition's pages sit at the same paths inside its own
// folder, and a link only has to change the folder.
//
// mdbook gives each page `path_to_root` ("" at the top, "../" one folder down...) and the
// edition's language in <html lang>; the page's own path inside its book is the end of the
// address, as many folders deep as path_to_root climbs.
(() => {
  const editions = [
    { lang: "en", folder: "", name: "English" },
    { lang: "ar", folder: "ar/", name: "العربية" },
    { lang: "fa", folder: "fa/", name: "فارسی" },
  ];
  const current = editions.find((e) => e.lang === document.documentElement.lang) || editions[0];
  const depth = (path_to_root.match(/\.\.\//g) || []).length;
  const parts = decodeURIComponent(window.location.pathname).split("/");
  const page = parts.slice(parts.length - depth - 1).join("/") || "index.html";
  // From this edition's root back to the English book's root, then into the chosen edition.
  const toEnglish = path_to_root + (current.folder ? "../" : "");

  const nav = document.createElement("nav");
  nav.className = "editions";
  nav.setAttribute("aria-label", "Editions");
  for (const edition of editions) {
    const link = document.createElement(edition === current ? "span" : "a");
    link.textContent = edition.name;
    link.lang = edition.lang;
    link.dir = edition.lang === "en" ? "ltr" : "rtl";
    if (edition === current) {
      link.setAttribute("aria-current", "page");
    } else {
      link.href = toEnglish + edition.folder + page + window.location.hash;
      link.hreflang = edition.lang;
    }
    nav.appendChild(link);
  }
  const buttons = document.querySelector("#menu-bar .right-buttons");
  if (buttons) {
    buttons.prepend(nav);
  }
})();

// Tables of figures (the bench's and lab 05's measurements: every cell after the first starts
// with a digit) keep their columns left to right in the right-to-left editions, as the charts
// beside them do; kit.css styles `table.figures` and `td.figure`.
// Letters of the scripts written right to left (Hebrew, Arabic, Persian).
const rightToLeftLetter = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/;

// Wraps each figure of `element`'s text (`25.47 ms`, `1,426`, `4,232,587/s`) in a left-to-right
// isolate, so that a right-to-left sentence around it cannot reorder a number and its unit.
function isolateFigures(element) {
  const figures = /[0-9][0-9,.]*(?:\s?(?:ms|µs|s|MiB|KiB|GiB|MB|KB|%|\/s|x))?(?![\w])/g;
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest("code")) {
      texts.push(node);
    }
  }
  for (const text of texts) {
    const parts = [];
    let last = 0;
    for (const match of text.data.matchAll(figures)) {
      parts.push(document.createTextNode(text.data.slice(last, match.index)));
      const span = document.createElement("span");
      span.dir = "ltr";
      span.className = "figure-run";
      span.textContent = match[0];
      parts.push(span);
      last = match.index + match[0].length;
    }
    if (parts.length > 0) {
      parts.push(document.createTextNode(text.data.slice(last)));
      text.replaceWith(...parts);
    }
  }
}

(() => {
  const figure = /^[\s~≈<>]*[0-9]/;
  for (const table of document.querySelectorAll("main table")) {
    const cells = [...table.querySelectorAll("tbody tr")].flatMap((row) =>
      [...row.cells].slice(1),
    );
    if (cells.length > 0 && cells.every((cell) => figure.test(cell.textContent))) {
      table.classList.add("figures");
    }
    // A single cell that holds only figures (`4,232,587/s, 12.8 MiB`, in a table of words and
    // figures) reads left to right too, or the right-to-left editions reorder its numbers and
    // units. In a cell that mixes words of the edition with figures (`انضم 1,426، 25.47 ms`),
    // each figure with its unit is kept together, left to right, inside the sentence.
    for (const cell of table.querySelectorAll("tbody td")) {
      if (!figure.test(cell.textContent)) {
        continue;
      }
      if (!rightToLeftLetter.test(cell.textContent)) {
        cell.classList.add("figure");
      } else if (document.documentElement.dir === "rtl") {
        isolateFigures(cell);
      }
    }

  }
})();

// In the right-to-left editions, each line of a transcript takes its direction from its own
// first letter, kept apart from the lines around it: a line a Persian user typed (`سلام`)
// reads right to left, the server's English lines left to right, each as a terminal that knows
// about bidi shows them. (`unicode-bidi: plaintext` on the whole block lets Chromium carry one
// line's direction into the next.) Only blocks of plain text are touched: a highlighted code
// block's lines are all Rust or shell, left to right.
(() => {
  if (document.documentElement.dir !== "rtl") {
    return;
  }
  for (const code of document.querySelectorAll("main pre > code")) {
    if (code.children.length > 0 || !/[\u0590-\u08ff\ufb50-\ufdff\ufe70-\ufeff]/.test(code.textContent)) {
      continue;
    }
    const lines = code.textContent.split("\n");
    code.textContent = "";
    lines.forEach((line, index) => {
      const span = document.createElement("span");
      span.dir = "auto";
      span.className = "transcript-line";
      span.textContent = line;
      code.appendChild(span);
      if (index < lines.length - 1) {
        code.appendChild(document.createTextNode("\n"));
      }
    });
  }
})();

// A test name in a table cell (`a_refused_name_can_be_chosen_again`) may break after each of
// its underscores, and only there: a <wbr> after each one (it copies as nothing, so the name
// pasted into `cargo test NAME` is still the name). kit.css lets such a cell's code break
// elsewhere only if a piece between underscores is wider than the column.
(() => {
  for (const code of document.querySelectorAll("main td code, main th code")) {
    if (code.children.length > 0 || !code.textContent.includes("_")) {
      continue;
    }
    const pieces = code.textContent.split(/(?<=_)/);
    code.textContent = "";
    pieces.forEach((piece, index) => {
      if (index > 0) {
        code.appendChild(document.createElement("wbr"));
      }
      code.appendChild(document.createTextNode(piece));
    });
  }
})();

// A short piece of inline code in a sentence (`--non-reader`, `-n 100 -m 200`) is kept on one
// line: broken at its hyphen or space, it reads as two words, and in the right-to-left
// editions its two halves end up in the wrong order. A long one may still wrap.
(() => {
  for (const code of document.querySelectorAll("main p code, main li code")) {
    if (code.textContent.length <= 32) {
      code.classList.add("unbroken");
    }
  }
})();

// Inline code that is all in a right-to-left script (`سلام به همه!`, a message typed in Persian)
// reads right to left, its final `!` at its end, as the user typed it.
(() => {
  for (const code of document.querySelectorAll("main :not(pre) > code")) {
    if (rightToLeftLetter.test(code.textContent) && !/[A-Za-z]/.test(code.textContent)) {
      code.dir = "rtl";
    }
  }
})();
