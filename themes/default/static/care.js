// 长者模式 / accessible mode: larger text, high contrast, a simple reading view and read-aloud.
// Loaded by the header switch on first use (see _care.html); settings live in localStorage only
// (no cookie), and everything here is built with textContent: no HTML from anywhere is parsed.
const KEY = "briefings-care";
const SIZES = [100, 125, 150, 175, 200]; // percent of the normal text size
const root = document.documentElement;

function load() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "null") || {};
  } catch {
    return {};
  }
}

function save(state) {
  try {
    localStorage.setItem(KEY, JSON.stringify(state));
  } catch {
    // storage blocked (private mode, policy): the settings last for this page
  }
}

let state = { on: false, size: 1, contrast: true, simple: false, ...load() };
let bar = null;
let strings = {};
let reader = null;

function apply() {
  const set = (name, on, value = "") => (on ? root.setAttribute(name, value) : root.removeAttribute(name));
  set("data-care", state.on);
  set("data-care-size", state.on, String(state.size));
  set("data-care-contrast", state.on && state.contrast);
  set("data-care-simple", state.on && state.simple);
  toggle.setAttribute("aria-pressed", String(state.on));
  if (bar) {
    bar.hidden = !state.on;
    // aria-disabled, not disabled: a disabled button drops the keyboard focus it has
    bar.querySelector("[data-care=smaller]").setAttribute("aria-disabled", String(state.size <= 0));
    bar.querySelector("[data-care=larger]").setAttribute("aria-disabled", String(state.size >= SIZES.length - 1));
    bar.querySelector(".care-size").textContent = strings.size.replace("{percent}", SIZES[state.size]);
    bar.querySelector("[data-care=contrast]").setAttribute("aria-pressed", String(state.contrast));
    bar.querySelector("[data-care=simple]").setAttribute("aria-pressed", String(state.simple));
  }
  if (!state.on && reader) reader.stop();
  save(state);
}

function button(name, label, pressed) {
  const b = document.createElement("button");
  b.type = "button";
  b.dataset.care = name;
  b.textContent = label;
  if (pressed !== undefined) b.setAttribute("aria-pressed", String(pressed));
  return b;
}

function makeBar() {
  bar = document.createElement("div");
  bar.className = "care-bar";
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", strings.settings);
  const size = document.createElement("span");
  size.className = "care-size";
  size.setAttribute("aria-live", "polite");
  const smaller = button("smaller", "A−");
  smaller.setAttribute("aria-label", `A− ${strings.smaller}`); // the name starts with what is seen (WCAG 2.5.3)
  const larger = button("larger", "A+");
  larger.setAttribute("aria-label", `A+ ${strings.larger}`);
  bar.append(smaller, size, larger, button("contrast", strings.contrast, state.contrast),
    button("simple", strings.simple, state.simple));
  bar.addEventListener("click", (event) => {
    const name = event.target.closest("button")?.dataset.care;
    if (name === "smaller") state.size = Math.max(0, state.size - 1);
    else if (name === "larger") state.size = Math.min(SIZES.length - 1, state.size + 1);
    else if (name === "contrast") state.contrast = !state.contrast;
    else if (name === "simple") state.simple = !state.simple;
    apply();
  });
  toggle.closest(".header-row").after(bar);
  reader = makeReader();
}

// ---- read-aloud: the briefing (or the paragraph the reader selected), sentence by sentence ----

const SENTENCE = /[^。！？!?]+?(?:[。！？!?]+|\.(?=\s)|$)[”’"')）]*\s*/gsu;

function blocksToRead() {
  const selected = window.getSelection();
  const node = selected && !selected.isCollapsed ? selected.anchorNode : null;
  const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
  const within = element?.closest("main p, main li, main h1, main h2, main h3");
  if (within) return [within];
  const article = document.querySelector("main .briefing") || document.querySelector("main");
  const body = article.querySelector(".body") || article;
  const title = article.querySelector("h1");
  const blocks = [...body.querySelectorAll("p, li, h2, h3, h4, td, th, dd, blockquote")]
    .filter((el) => !el.querySelector("p, li"));
  return title && body !== article ? [title, ...blocks] : blocks;
}

// Each sentence of a block as a DOM Range, so it can be highlighted where it stands.
function sentences(block) {
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push([node, text.length]);
    text += node.data;
  }
  const at = (offset) => {
    let i = nodes.length - 1;
    while (i > 0 && nodes[i][1] > offset) i--;
    return [nodes[i][0], Math.min(offset - nodes[i][1], nodes[i][0].length)];
  };
  const out = [];
  for (const match of text.matchAll(SENTENCE)) {
    const words = match[0].trim();
    if (!words) continue;
    const range = document.createRange();
    range.setStart(...at(match.index));
    range.setEnd(...at(match.index + match[0].trimEnd().length));
    out.push({ words, range });
  }
  return out;
}

function voiceFor(lang) {
  const voices = window.speechSynthesis ? window.speechSynthesis.getVoices() : [];
  const base = lang.split("-")[0].toLowerCase();
  const fitting = voices.filter((v) => (v.lang || "").toLowerCase().replace("_", "-").split("-")[0] === base);
  return fitting.find((v) => v.lang.replace("_", "-") === lang) || fitting[0] || null;
}

function makeReader() {
  const lang = root.lang || "zh-CN";
  const read = button("read", strings.read, false);
  read.hidden = true;
  bar.append(read);
  let queue = [];
  let marked = null;
  const mark = (item) => {
    if (marked) marked.classList.remove("care-reading");
    marked = item ? item.block : null;
    if (window.CSS && CSS.highlights && window.Highlight) {
      if (item) CSS.highlights.set("care-reading", new Highlight(item.range));
      else CSS.highlights.delete("care-reading");
    }
    if (marked) {
      marked.classList.add("care-reading");
      marked.scrollIntoView({ block: "nearest" });
    }
  };
  const stop = () => {
    queue = [];
    window.speechSynthesis?.cancel();
    mark(null);
    read.textContent = strings.read;
    read.setAttribute("aria-pressed", "false");
  };
  const next = () => {
    const item = queue.shift();
    if (!item) return stop();
    const utterance = new SpeechSynthesisUtterance(item.words);
    utterance.lang = lang;
    utterance.voice = voiceFor(lang);
    utterance.onstart = () => mark(item);
    utterance.onend = next;
    utterance.onerror = stop;
    window.speechSynthesis.speak(utterance);
  };
  // A mouse press on the button would clear the reader's selection before the click reads it.
  read.addEventListener("mousedown", (event) => event.preventDefault());
  read.addEventListener("click", () => {
    if (queue.length || read.getAttribute("aria-pressed") === "true") return stop();
    queue = blocksToRead().flatMap((block) => sentences(block).map((s) => ({ ...s, block })));
    read.textContent = strings.stop;
    read.setAttribute("aria-pressed", "true");
    next();
  });
  // Hidden while the browser has no voice for the page's language; voices may arrive later.
  const offer = () => {
    read.hidden = !voiceFor(lang);
  };
  offer();
  window.speechSynthesis?.addEventListener?.("voiceschanged", offer);
  return { stop };
}

let toggle = null;

export function start(button, on) {
  if (toggle) return;
  toggle = button;
  strings = JSON.parse(toggle.dataset.strings || "{}");
  if (on) state.on = true;
  makeBar();
  toggle.addEventListener("click", () => {
    state.on = !state.on;
    apply();
  });
  apply();
}
