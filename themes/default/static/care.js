// 长者模式, loaded on first use (_care.html). At a limit A−/A+ are aria-disabled: disabled drops the focus.
const KEY = "briefings-care", SIZES = [100, 125, 150, 175, 200], root = document.documentElement;
let state = { on: false, size: 1, contrast: true, simple: false };
try { Object.assign(state, JSON.parse(localStorage.getItem(KEY))); } catch {}
let toggle, bar, text, stop;
const $ = (name) => bar.querySelector(`[data-care=${name}]`);
const set = (el, name, value) => el.setAttribute(name, value);

function apply() {
  // one attribute, as the page's inline script sets it before painting: "2 contrast simple"
  state.attr = [state.size, state.contrast && "contrast", state.simple && "simple"].filter((x) => x !== false).join(" ");
  state.on ? set(root, "data-care", state.attr) : root.removeAttribute("data-care");
  set(toggle, "aria-pressed", state.on);
  bar.hidden = !state.on;
  set($("smaller"), "aria-disabled", state.size <= 0);
  set($("larger"), "aria-disabled", state.size >= SIZES.length - 1);
  $("size").textContent = text[3].replace("{percent}", SIZES[state.size]);
  set($("contrast"), "aria-pressed", state.contrast);
  set($("simple"), "aria-pressed", state.simple);
  if (!state.on) stop();
  try { localStorage.setItem(KEY, JSON.stringify(state)); } catch {}
}

function make(tag, name, label = "", pressed, more) {
  const el = document.createElement(tag);
  if (tag === "button") el.type = "button";
  el.dataset.care = name;
  el.textContent = label;
  if (pressed !== undefined) set(el, "aria-pressed", pressed);
  if (more) set(el, "aria-label", `${label} ${more}`);
  return el;
}

// read-aloud, sentence by sentence, each highlighted
const SENTENCE = /[^。！？!?]+?(?:[。！？!?]+|\.(?=\s)|$)[”’"')）]*\s*/gsu;

function blocksToRead() {
  const sel = getSelection(), node = sel.isCollapsed ? null : sel.anchorNode;
  const picked = (node?.nodeType === 1 ? node : node?.parentElement)?.closest("main :is(p, li, h1, h2, h3)");
  if (picked) return [picked];
  const main = document.querySelector("main"), body = main.querySelector(".briefing .body");
  if (!body) return [main];
  return [main.querySelector("h1"), ...[...body.querySelectorAll("p, li, h2, h3, h4, td, th, blockquote")]
    .filter((el) => !el.querySelector("p, li"))];
}

function sentences(block) {
  const walk = document.createTreeWalker(block, NodeFilter.SHOW_TEXT), nodes = [];
  let all = "";
  for (let n; (n = walk.nextNode());) { nodes.push([n, all.length]); all += n.data; }
  const at = (offset) => {
    let i = nodes.length - 1;
    while (i > 0 && nodes[i][1] > offset) i--;
    return [nodes[i][0], Math.min(offset - nodes[i][1], nodes[i][0].length)];
  };
  return [...all.matchAll(SENTENCE)].filter((m) => m[0].trim()).map((m) => {
    const range = document.createRange();
    range.setStart(...at(m.index));
    range.setEnd(...at(m.index + m[0].trimEnd().length));
    return { words: m[0].trim(), range, block };
  });
}

function voiceFor(lang) {
  const base = (code) => (code || "").toLowerCase().split(/[-_]/)[0];
  const fit = (window.speechSynthesis?.getVoices() || []).filter((v) => base(v.lang) === base(lang));
  return fit.find((v) => v.lang.replace("_", "-") === lang) || fit[0] || null;
}

function reader() {
  const lang = root.lang || "zh-CN", read = make("button", "read", text[6], false), synth = window.speechSynthesis;
  const marks = window.CSS?.highlights;
  read.hidden = true;
  bar.append(read);
  if (marks) { // not in site.css: validators reject ::highlight
    const sheet = new CSSStyleSheet();
    sheet.replaceSync("::highlight(care-reading) { background: #ffd400; color: #000; }");
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }
  let queue = [], marked;
  const mark = (item) => {
    marked?.classList.remove("care-reading");
    marked = item?.block;
    if (marks) item ? marks.set("care-reading", new Highlight(item.range)) : marks.delete("care-reading");
    marked?.classList.add("care-reading");
    marked?.scrollIntoView({ block: "nearest" });
  };
  stop = () => {
    queue = [];
    synth?.cancel();
    mark();
    read.textContent = text[6];
    set(read, "aria-pressed", false);
  };
  const next = () => {
    const item = queue.shift();
    if (!item) return stop();
    const u = new SpeechSynthesisUtterance(item.words);
    Object.assign(u, { lang, voice: voiceFor(lang), onstart: () => mark(item), onend: next, onerror: stop });
    synth.speak(u);
  };
  read.onmousedown = (e) => e.preventDefault(); // keep the selection
  read.onclick = () => {
    if (read.getAttribute("aria-pressed") === "true") return stop();
    queue = blocksToRead().flatMap(sentences);
    read.textContent = text[7];
    set(read, "aria-pressed", true);
    next();
  };
  const offer = () => { read.hidden = !voiceFor(lang); };
  offer();
  synth?.addEventListener?.("voiceschanged", offer);
}

export function start(button, on) {
  if (toggle) return;
  toggle = button;
  // settings, smaller, larger, size, contrast, simple, read, stop
  text = toggle.dataset.strings.split("|");
  state.on ||= on;
  bar = make("div", "bar");
  bar.className = "care-bar";
  set(bar, "role", "group");
  set(bar, "aria-label", text[0]);
  const size = make("span", "size");
  set(size, "aria-live", "polite");
  bar.append(make("button", "smaller", "A−", undefined, text[1]), size, make("button", "larger", "A+", undefined, text[2]),
    make("button", "contrast", text[4], state.contrast), make("button", "simple", text[5], state.simple));
  bar.onclick = (e) => {
    const name = e.target.closest("button")?.dataset.care, step = { smaller: -1, larger: 1 }[name];
    if (step) state.size = Math.min(SIZES.length - 1, Math.max(0, state.size + step));
    else if (name === "contrast" || name === "simple") state[name] = !state[name];
    else return;
    apply();
  };
  toggle.closest(".header-row").after(bar);
  reader();
  toggle.addEventListener("click", () => { state.on = !state.on; apply(); });
  apply();
}
