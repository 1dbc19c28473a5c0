// Search in the browser: the pure half (no DOM), imported by search.js and by node's tests.
// It reads the files briefings/search/index.py writes; tokens follow briefings/search/tokens.py
// exactly (tests/fixtures/search_tokens.json holds the cases both sides check).

const HAN = '\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff'; // = briefings.pinyin.HAN_CLASS
const TOKEN = new RegExp(`[${HAN}]+|[a-z0-9]+`, 'g');
const HAN_RUN = new RegExp(`^[${HAN}]+$`);
const SEARCHABLE = new RegExp(`[${HAN}a-z0-9]`);
const HAS_HAN = new RegExp(`[${HAN}]`);
const MARKS = /[\u0300-\u036f]+/g;
export const FILTERS = ['tag', 'year', 'meeting', 'lang'];

// Traditional → simplified for the site's characters (search/fold/…, briefings/search/fold.py):
// set once the file is read; until then (and in tests that set none) nothing is folded.
let FOLD = null;
let FOLDABLE = null;

/** Fold with ``table`` ({課: '课', …}) from now on; null folds nothing. */
export function setFold(table) {
  const keys = table ? Object.keys(table) : [];
  FOLD = keys.length ? table : null;
  FOLDABLE = FOLD ? new RegExp(`[${keys.join('')}]`, 'gu') : null;
}

const fold = (text) => (FOLDABLE ? text.replace(FOLDABLE, (ch) => FOLD[ch]) : text);

/** NFKC, lowercase, traditional folded, Latin diacritics dropped: Café → cafe, shuāng → shuang. */
export function normalize(text) {
  return fold(text.normalize('NFKC').toLowerCase()).normalize('NFD').replace(MARKS, '');
}

// ---- English: Porter's step 1 (plurals, -ed, -ing, final y), as briefings/search/stem.py ----

const isConsonant = (w, i) => {
  const c = w[i];
  if ('aeiou'.includes(c)) return false;
  if (c === 'y') return i === 0 || !isConsonant(w, i - 1);
  return true;
};

function measure(stem) {
  let m = 0, vowelSeen = false;
  for (let i = 0; i < stem.length; i++) {
    if (isConsonant(stem, i)) { if (vowelSeen) m++; vowelSeen = false; } else vowelSeen = true;
  }
  return m;
}

const hasVowel = (stem) => [...stem].some((_, i) => !isConsonant(stem, i));
const doubleConsonant = (w) => w.length >= 2 && w.at(-1) === w.at(-2) && isConsonant(w, w.length - 1);
const cvc = (w) => {
  const n = w.length;
  return n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1) && !'wxy'.includes(w[n - 1]);
};

/** schools → school, inspected → inspect, planning → plan, safety → safeti; services stays service. */
export function stem(word) {
  if (word.length <= 2 || !/^[a-z]+$/.test(word)) return word;
  if (word.endsWith('sses') || word.endsWith('ies')) word = word.slice(0, -2);
  else if (word.endsWith('s') && !word.endsWith('ss')) word = word.slice(0, -1);
  if (word.endsWith('eed')) {
    if (measure(word.slice(0, -3)) > 0) word = word.slice(0, -1);
  } else {
    for (const suffix of ['ed', 'ing']) {
      if (word.endsWith(suffix) && hasVowel(word.slice(0, -suffix.length))) {
        word = word.slice(0, -suffix.length);
        if (word.endsWith('at') || word.endsWith('bl') || word.endsWith('iz')) word += 'e';
        else if (doubleConsonant(word) && !'lsz'.includes(word.at(-1))) word = word.slice(0, -1);
        else if (measure(word) === 1 && cvc(word)) word += 'e';
        break;
      }
    }
  }
  if (word.endsWith('y') && hasVowel(word.slice(0, -1))) word = word.slice(0, -1) + 'i';
  return word;
}

export const isHan = (text) => HAN_RUN.test(text);

/** Tokens in reading order: per Han run its characters, then its overlapping pairs. */
export function tokenize(text) {
  const out = [];
  for (const [run] of normalize(text).matchAll(TOKEN)) {
    if (run.charCodeAt(0) < 128) { out.push(stem(run)); continue; }
    out.push(...run);
    for (let i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
  }
  return out;
}

/** The pseudo-term a filter is stored under: ('tag', '双减') → '#tag:双减'. */
export function filterTerm(kind, value) {
  return `#${kind}:${normalize(String(value)).replace(/\s+/g, ' ').trim()}`;
}

/** Index terms a Han run or a word is looked up by: pairs for 2+ characters, else itself. */
export function termsOf(text) {
  const terms = [];
  for (const [run] of normalize(text).matchAll(TOKEN)) {
    if (run.length > 1 && run.charCodeAt(0) >= 128) {
      for (let i = 0; i + 1 < run.length; i++) terms.push(run.slice(i, i + 2));
    } else terms.push(run.charCodeAt(0) < 128 ? stem(run) : run);
  }
  return [...new Set(terms)];
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];

/** 2026-06-30 as the site writes dates (briefings.render.format_date): 2026年6月30日, June 30, 2026. */
export function formatDate(iso, lang) {
  const [y, m, d] = String(iso).split('-').map(Number);
  if (!y || !(m >= 1 && m <= 12) || !d) return iso;
  return /^zh\b/i.test(lang || '') ? `${y}年${m}月${d}日` : `${MONTHS[m - 1]} ${d}, ${y}`;
}

// ---- query syntax: words, "quoted phrases", tag:… year:… meeting:… lang:… ----

/**
 * Split a query into filters and segments. A segment is {text, quoted, latin}: quoted
 * phrases stay whole; other space-separated chunks are grouped so that consecutive chunks
 * with Latin letters form one segment (ke hou fu wu is one pinyin phrase).
 */
export function parseQuery(input) {
  const filters = [];
  const segments = [];
  const re = /(tag|year|meeting|lang)[:：](?:"([^"]*)"|(\S+))|["“”「」『』]([^"“”「」『』]*)["“”「」『』]?|(\S+)/giu;
  for (const m of input.normalize('NFKC').matchAll(re)) {
    if (m[1]) filters.push({ kind: m[1].toLowerCase(), value: m[2] ?? m[3] });
    else if (m[4] !== undefined) segments.push({ text: m[4].trim(), quoted: true, latin: false });
    else {
      const latin = /[a-z]/i.test(m[5]);
      const last = segments[segments.length - 1];
      if (latin && last && last.latin && !last.quoted) last.text += ' ' + m[5];
      else segments.push({ text: m[5], quoted: false, latin });
    }
  }
  return { filters, segments: segments.filter((s) => SEARCHABLE.test(normalize(s.text))) };
}

// ---- pinyin: parse Latin input into syllables, initials and literal characters ----

/** Input as pinyin: tone marks dropped, ü written v, Han characters kept. */
export function pinyinText(input) {
  return fold(input.normalize('NFKC')).toLowerCase().normalize('NFD').replace(/u\u0308/g, 'v')
    .replace(MARKS, '');
}

/**
 * Ways to read ``input`` as a sequence of units, fewest units first (at most ``limit``):
 * {t: 's', v} a whole syllable, {t: 'p', v} an initial or, last, a syllable being typed,
 * {t: 'h', v} a Han character. Spaces, apostrophes, hyphens and tone digits separate
 * syllables. ``syllables`` is the set of syllables the site uses. Returns [] if some part
 * cannot be read as pinyin at all (campus, after).
 */
export function parsePinyin(input, syllables, limit = 4) {
  const pieces = pinyinText(input).split(/[\s'’\-1-5]+/).filter(Boolean);
  const starts = new Set([...syllables].map((s) => s[0]));
  let parses = [[]];
  pieces.forEach((piece, index) => {
    const lastPiece = index === pieces.length - 1;
    const memo = new Map();
    // all readings of piece[i:], each an array of units
    const from = (i) => {
      if (i === piece.length) return [[]];
      if (memo.has(i)) return memo.get(i);
      const out = [];
      const ch = piece[i];
      if (isHan(ch)) for (const rest of from(i + 1)) out.push([{ t: 'h', v: ch }, ...rest]);
      for (let j = Math.min(piece.length, i + 6); j > i; j--) {
        const s = piece.slice(i, j);
        const atEnd = j === piece.length && lastPiece;
        const full = syllables.has(s);
        const initial = j - i === 1 ? starts.has(s) : /^[zcs]h$/.test(s);
        const typing = atEnd && !full && [...syllables].some((x) => x.startsWith(s));
        if (!full && !initial && !typing) continue;
        for (const rest of from(j)) out.push([{ t: full ? 's' : 'p', v: s }, ...rest]);
        if (out.length > 64) break;
      }
      memo.set(i, out);
      return out;
    };
    const readings = from(0);
    const next = [];
    for (const p of parses) for (const r of readings) next.push([...p, ...r]);
    parses = next.slice(0, 256);
  });
  if (!pieces.length) return [];
  const cost = (p) => p.length * 4 + p.filter((u) => u.t === 'p').length;
  parses.sort((a, b) => cost(a) - cost(b));
  const best = parses.length ? parses[0].length : 0;
  return parses.filter((p) => p.length <= best + 1).slice(0, limit);
}

/**
 * How well character ``ch`` (readings ``readings``, main first) fits unit ``u``: 0 by its
 * main reading or, given, the reading ``phrase`` it has in the pair; 1 by another reading; -1 not.
 */
export function fitChar(u, ch, readings, phrase) {
  if (u.t === 'h') return ch === u.v ? 0 : -1;
  const ok = (s) => (u.t === 's' ? s === u.v : s.startsWith(u.v));
  if (ok(phrase ?? readings[0] ?? '')) return 0;
  // an initial says little of the reading: any reading fits it as well as the main one
  return readings.some(ok) || (phrase && ok(phrase)) ? (u.t === 'p' && u.v.length < 3 ? 0 : 1) : -1;
}

/**
 * The pair shard holding the pairs that fit units ``a``, ``b``: the first two letters of a
 * syllable (typed, being typed, or a Hanzi's main reading) and the first of the next unit
 * ('xi-y'); for an initial, the first letters of both ('xy').
 */
export function pairKey(a, b, readingsOf) {
  const reading = (u) => (u.t === 'h' ? (readingsOf.get(u.v) || [''])[0] : u.v);
  const first = reading(a) || '', second = (reading(b) || '')[0] || '';
  if (!/^[a-z]+$/.test(first) || !/^[a-z]$/.test(second)) return null;
  return a.t === 'p' && first.length < 2 ? first + second : `${first.slice(0, 2)}-${second}`;
}

const MAX_UNITS = 8; // pair shards read for one segment: at most seven
const MAX_PINYIN = 48; // letters of a segment read as pinyin: eight long syllables and spaces
const MAX_QUERY = 256; // characters of a query searched: a pasted page costs no more than this
const KEEP = 6; // partial words kept per last character while chaining

/**
 * Words of the site that fit ``units``, best first: chains of pairs from ``pairsAt[i]`` (the
 * entries [pair, briefings, phrase?] that may sit at units i, i+1) overlapping by one
 * character. A word costs one for each character read other than by its main (or phrase)
 * reading, and counts the briefings of its rarest pair; lower cost first, then words with
 * fewer pairs outside the site's tags, then more briefings.
 */
export function chainWords(units, pairsAt, readingsOf, limit = 8) {
  const fitting = pairsAt.map((entries, i) => {
    const out = [];
    for (const [pair, df, named, phrase] of entries) {
      const [p, q] = phrase ? phrase.split(' ') : [];
      const a = fitChar(units[i], pair[0], readingsOf.get(pair[0]) || [], p);
      const b = a < 0 ? -1 : fitChar(units[i + 1], pair[1], readingsOf.get(pair[1]) || [], q);
      if (b >= 0) out.push({ pair, df, a, b, plain: named ? 0 : 1 });
    }
    return out;
  });
  // A word so far: its text, the cost of all but its last character, the last one's, briefings.
  const total = (w) => w.cost + w.last;
  const better = (x, y) => total(x) - total(y) || x.plain - y.plain || y.df - x.df
    || y.text.length - x.text.length || (x.text < y.text ? -1 : 1);
  let words = new Map(); // last character → words, best first
  fitting.forEach((pairs, i) => {
    const next = new Map();
    const keep = (w) => {
      const list = next.get(w.text.at(-1)) || [];
      list.push(w);
      list.sort(better);
      next.set(w.text.at(-1), list.slice(0, KEEP));
    };
    for (const { pair, df, a, b, plain } of pairs) {
      if (i === 0) { keep({ text: pair, cost: a, last: b, df, plain }); continue; }
      // the shared character counts once, at its best reading in either pair
      for (const w of words.get(pair[0]) || []) {
        keep({ text: w.text + pair[1], cost: w.cost + Math.min(w.last, a), last: b, df: Math.min(w.df, df),
          plain: w.plain + plain });
      }
    }
    words = next;
  });
  return [...words.values()].flat().sort(better).slice(0, limit).map((w) => ({ ...w, cost: total(w) }));
}

/** Best first of words from several readings of the input (chainWords' scored words). */
export function bestWords(scored, limit = 8) {
  const sorted = [...scored].sort((x, y) => x.cost - y.cost || x.plain - y.plain || y.df - x.df
    || y.text.length - x.text.length || (x.text < y.text ? -1 : 1));
  return [...new Set(sorted.map((w) => w.text))].slice(0, limit);
}

// ---- file formats: gzip, CRC-32 sharding, varint postings ----

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

export function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const utf8 = new TextEncoder();
export const shardOf = (term, shards) => crc32(utf8.encode(term)) % shards;

/** gzip → bytes with the browser's own inflater; bytes a server already inflated pass. */
export async function inflate(bytes) {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function varint(buf, pos) {
  let value = 0, shift = 0, byte;
  do { byte = buf[pos++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
  return [value, pos];
}

/** A term's postings in a shard: {ids: Int32Array ascending, impacts: Uint8Array}, or null. */
export function findTerm(shard, term) {
  const want = utf8.encode(term);
  let pos = 0, len, df, size;
  while (pos < shard.length) {
    [len, pos] = varint(shard, pos);
    const match = len === want.length && want.every((b, i) => shard[pos + i] === b);
    pos += len;
    [df, pos] = varint(shard, pos);
    [size, pos] = varint(shard, pos);
    if (match) {
      const ids = new Int32Array(df);
      let p = pos, id = 0, gap;
      for (let i = 0; i < df; i++) { [gap, p] = varint(shard, p); id += gap; ids[i] = id; }
      return { ids, impacts: shard.subarray(pos + size, pos + size + df) };
    }
    pos += size + df;
  }
  return null;
}

// ---- ranking ----

/** AND of postings lists; score = Σ idf × impact (filters score 0). Best first, then newest. */
export function rank(lists, docs) {
  if (!lists.length || lists.some((l) => !l)) return [];
  lists = [...lists].sort((a, b) => a.ids.length - b.ids.length);
  const weight = (l) => (l.filter ? 0 : Math.log(1 + (docs - l.ids.length + 0.5) / (l.ids.length + 0.5)));
  let ids = lists[0].ids, scores = Float64Array.from(lists[0].impacts, (x) => x * weight(lists[0]));
  for (const l of lists.slice(1)) {
    const w = weight(l), keep = [], kept = [];
    for (let i = 0, j = 0; i < ids.length && j < l.ids.length;) {
      if (ids[i] < l.ids[j]) i++;
      else if (ids[i] > l.ids[j]) j++;
      else { keep.push(ids[i]); kept.push(scores[i] + w * l.impacts[j]); i++; j++; }
    }
    ids = keep; scores = kept;
  }
  const order = Array.from(ids, (_, i) => i);
  order.sort((a, b) => scores[b] - scores[a] || ids[a] - ids[b]);
  return order.map((i) => ({ id: ids[i], score: scores[i] }));
}

// ---- snippets: find needles in text, cut a window at punctuation ----

/** Normalised text with, per normalised UTF-16 unit, its offset in the original. */
export function normalizedMap(text) {
  const flat = normalize(text);
  if (flat.length === text.length) return { text: flat, at: null };
  let out = '';
  const at = [];
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i), ch = String.fromCodePoint(cp), n = normalize(ch);
    for (let k = 0; k < n.length; k++) at.push(i);
    out += n;
    i += ch.length;
  }
  at.push(text.length);
  return { text: out, at };
}

/** Original [start, end) ranges where any needle occurs, sorted, not overlapping. */
export function findAll(text, needles) {
  const map = normalizedMap(text), ranges = [];
  const sorted = [...new Set(needles.map(normalize).filter(Boolean))].sort((a, b) => b.length - a.length);
  const taken = new Uint8Array(map.text.length);
  for (const n of sorted) {
    for (let i = map.text.indexOf(n); i >= 0; i = map.text.indexOf(n, i + n.length)) {
      if (taken.subarray(i, i + n.length).some((x) => x)) continue;
      // Latin needles match whole words only: "safe" is not found in "unsafe".
      if (/^[a-z0-9]/.test(n) && /[a-z0-9]/.test(map.text[i - 1] || '')) continue;
      taken.fill(1, i, i + n.length);
      ranges.push(map.at ? [map.at[i], map.at[i + n.length]] : [i, i + n.length]);
    }
  }
  return ranges.sort((a, b) => a[0] - b[0]);
}

const STOP = /[。！？；;!?\n]/;

/** ~``size`` characters around the first hit, cut after sentence punctuation: [[text, marked]…]. */
export function snippet(text, ranges, size = 80) {
  const first = ranges.length ? ranges[0][0] : 0;
  let start = first < size / 2 ? 0 : first - Math.floor(size / 4);
  for (let i = first - 1; i >= Math.max(0, first - size / 2); i--) if (STOP.test(text[i])) { start = i + 1; break; }
  let end = Math.min(text.length, start + size);
  for (let i = end - 1; i > first + size / 2; i--) if (STOP.test(text[i])) { end = i + 1; break; }
  const parts = [];
  if (start > 0) parts.push(['…', false]);
  let pos = start;
  for (const [a, b] of ranges) {
    if (b <= start || a >= end) continue;
    if (a > pos) parts.push([text.slice(pos, a), false]);
    parts.push([text.slice(Math.max(a, pos), Math.min(b, end)), true]);
    pos = Math.min(b, end);
  }
  if (pos < end) parts.push([text.slice(pos, end), false]);
  if (end < text.length) parts.push(['…', false]);
  return parts;
}

// ---- the searcher: loads only the files a query needs, each once ----

async function fetchBytes(url, fresh = false) {
  // The entry file is revalidated on every page load; build files never change.
  const response = await fetch(url, fresh ? { cache: 'no-cache' } : {});
  if (!response.ok) throw new Error(`${response.status} ${url}`);
  return new Uint8Array(await response.arrayBuffer());
}

const text = new TextDecoder();

export class Searcher {
  /** ``entryUrl``: URL of search/entry.json; ``get(url, fresh)`` → Promise<Uint8Array>. */
  constructor(entryUrl, get = fetchBytes) {
    this.entryUrl = new URL(entryUrl, globalThis.location?.href);
    this.get = get;
    this.cache = new Map();
  }

  /** The entry file names the current files (see index.py); every other file is cached forever. */
  entry() {
    this.entryP ??= this.get(this.entryUrl.href, true).then((b) => JSON.parse(text.decode(b)));
    this.entryP.catch(() => { this.entryP = null; }); // try again on the next query
    return this.entryP;
  }

  /** The inflated bytes of ``path`` under search/. */
  file(path) { return this.fetched(new URL(path, this.entryUrl).href); }

  /** The inflated bytes at ``url``, fetched once. */
  fetched(url) {
    if (!this.cache.has(url)) {
      const bytes = this.get(url).then(inflate);
      bytes.catch(() => this.cache.delete(url));
      this.cache.set(url, bytes);
    }
    return this.cache.get(url);
  }

  /** File ``n`` of shards ('t') or fragments ('f'): in the folder of its group. */
  async numbered(kind, n) {
    const { size, groups } = (await this.entry())[kind === 't' ? 'terms' : 'frag'];
    return this.file(`${kind}/${groups[Math.floor(n / size)]}/${n}.bin`);
  }

  /** The 'syllables' or 'facets' file, as JSON. */
  async json(kind) {
    const { files } = await this.entry();
    return JSON.parse(text.decode(await this.file(`${kind}/${files[kind]}.bin`)));
  }

  /** Syllable tables, the set of syllables, and each character's readings (main first). */
  syllables() {
    this.sylP ??= this.json('syllables').then(({ main, alt, keys }) => {
      const readingsOf = new Map();
      for (const table of [main, alt]) {
        for (const [syl, chars] of Object.entries(table)) {
          for (const ch of chars) readingsOf.set(ch, [...(readingsOf.get(ch) || []), syl]);
        }
      }
      // which 'xi-y' shards exist: a bitmap over the syllables' first two letters × 26 (pairs.py)
      const prefixes = [...new Set([...Object.keys(main), ...Object.keys(alt)].map((x) => x.slice(0, 2)))].sort();
      const split = new Set();
      const hex = keys || '0';
      prefixes.forEach((prefix, n) => {
        for (let k = 0; k < 26; k++) {
          const bit = n * 26 + k, digit = hex.length - 1 - (bit >> 2);
          if (digit >= 0 && (parseInt(hex[digit], 16) >> (bit & 3)) & 1) split.add(`${prefix}-${String.fromCharCode(97 + k)}`);
        }
      });
      return { main, alt, set: new Set([...Object.keys(main), ...Object.keys(alt)]), readingsOf, split };
    });
    return this.sylP;
  }

  /** The traditional → simplified table of the site's characters, in force once read. */
  fold() {
    this.foldP ??= this.json('fold').then(setFold, () => { this.foldP = null; });
    return this.foldP;
  }

  async postings(term) {
    const { shards } = await this.entry();
    return findTerm(await this.numbered('t', shardOf(term, shards)), term);
  }

  /** Entries [pair, briefings, phrase?] of pair shard ``key`` ('xy'), [] if there is none. */
  async pairShard(key) {
    const { pairs, files } = await this.entry();
    if (key.includes('-')) {
      if (!(await this.syllables()).split.has(key)) return [];
      return JSON.parse(text.decode(await this.file(`p/${files.pairs[key[0]]}/${key}.bin`)));
    }
    const bit = (key.charCodeAt(0) - 97) * 26 + key.charCodeAt(1) - 97;
    const nibble = parseInt(pairs[pairs.length - 1 - (bit >> 2)], 16);
    if (!((nibble >> (bit & 3)) & 1)) return [];
    return JSON.parse(text.decode(await this.file(`p/${files.pairs[key[0]]}/${key}.bin`)));
  }

  /** A result's link, title, date, tags and sections: in the folder of its group of fragments. */
  async fragment(id) {
    return JSON.parse(text.decode(await this.numbered('f', id)));
  }

  /** Han words of the site a Latin segment may mean, best first ([] if it is not pinyin). */
  async pinyin(segment) {
    if (segment.length > MAX_PINYIN) return []; // a sentence, not a word: searched as words
    const syl = await this.syllables();
    const parses = parsePinyin(segment, syl.set);
    if (!parses.length) return [];
    if (parses[0].length === 1) {
      const u = parses[0][0];
      if (u.t === 'h') return [u.v];
      return u.t === 's' ? [...new Set([...(syl.main[u.v] || ''), ...(syl.alt[u.v] || '')])].slice(0, 8) : [];
    }
    // Initials may be split more than one way (zh: one initial, or z and h): all are read.
    const initials = (p) => p.every((u) => u.t !== 's');
    const best = parses.filter((p) => (p.length === parses[0].length || initials(p)) && p.length <= MAX_UNITS);
    const words = [];
    for (const units of best) {
      const keys = units.slice(1).map((u, i) => pairKey(units[i], u, syl.readingsOf));
      if (keys.includes(null)) continue;
      const pairsAt = await Promise.all(keys.map((k) => this.pairShard(k)));
      words.push(...chainWords(units, pairsAt, syl.readingsOf));
    }
    return bestWords(words);
  }

  /**
   * What each segment searches for. Han text searches itself; Latin text is read as pinyin
   * when the site has words for it (``picks[i]`` chooses another), else as English words.
   */
  async interpret(segments, picks = {}) {
    return Promise.all(segments.map(async (seg, i) => {
      const words = { text: seg.text, quoted: seg.quoted, mode: 'words', choices: [] };
      if (!seg.latin || seg.quoted) return words;
      const choices = await this.onSite(await this.pinyin(seg.text));
      const pick = picks[i];
      if (!choices.length || pick === '') return { ...words, choices, english: true };
      const chosen = choices.includes(pick) ? pick : choices[0];
      // Offer English too when the letters hold a whole syllable (an, men), not for khfw.
      const english = /^[a-z\s'-]+$/i.test(seg.text) && parsePinyin(seg.text, (await this.syllables()).set)[0].some((u) => u.t === 's');
      return { text: chosen, quoted: false, mode: 'pinyin', choices, english };
    }));
  }

  /**
   * Candidate words with the first that is on the site as a whole moved to the front. A
   * word of three or more characters is a chain of pairs the site has, not always a word it
   * has (次全 + 全优 + 优化): the first candidates are searched, and the first whose best
   * hits hold it as written wins. Pairs are on the site by construction.
   */
  async onSite(choices, tries = 4) {
    for (const word of choices.slice(0, tries)) {
      if (word.length < 3) return choices;
      const hits = await this.rank([{ text: word }], []);
      const frags = await Promise.all(hits.slice(0, 2).map((h) => this.fragment(h.id)));
      if (frags.some((f) => describe(f, [word], [{ text: word }]).all.includes(normalize(word)))) {
        return [word, ...choices.filter((c) => c !== word)];
      }
    }
    return choices;
  }

  /**
   * A pinyin query's words are simplified; a result written in traditional characters is
   * read through the fold table, loaded then: its characters are the ones the site's
   * syllable table lacks (it lists the folded ones).
   */
  async foldFor(frags) {
    if (FOLD) return;
    const { readingsOf } = await this.syllables();
    const han = new RegExp(`[${HAN}]`, 'gu');
    if (frags.some((f) => [...JSON.stringify(f).matchAll(han)].some(([c]) => !readingsOf.has(c)))) await this.fold();
  }

  /** Ranked hits [{id, score}] for parsed segments and filters. */
  async rank(parts, filters) {
    const terms = parts.flatMap((p) => termsOf(p.text).map((t) => ({ t })));
    terms.push(...filters.map(({ kind, value }) => ({ t: filterTerm(kind, value), filter: true })));
    if (!terms.length) return [];
    const lists = await Promise.all(terms.map(async ({ t, filter }) => {
      const p = await this.postings(t);
      return p && { ...p, filter };
    }));
    const { docs } = await this.entry();
    return rank(lists, docs);
  }

  /**
   * Search: {parts, hits, filters}. A segment read as pinyin that finds nothing is
   * searched again as English words, and the other way round.
   */
  async search(query, { filters = [], picks = {} } = {}) {
    // Traditional characters can only be in a query with Han characters: other queries (pinyin,
    // English) spare the fold table's bytes.
    query = query.slice(0, MAX_QUERY);
    if (HAS_HAN.test(query)) await this.fold();
    const parsed = parseQuery(query);
    const all = [...parsed.filters, ...filters].filter((f) => FILTERS.includes(f.kind) && f.value);
    let parts = await this.interpret(parsed.segments, picks);
    let hits = await this.rank(parts, all);
    // A word chained from pairs may not be on the site as a whole (区要周: 区要 and 要周 are):
    // then the next candidates the reader did not overrule, while they find nothing.
    for (const [i, part] of parts.entries()) {
      if (hits.length || part.mode !== 'pinyin' || picks[i] !== undefined) continue;
      for (const choice of part.choices.slice(1, 4)) {
        const tried = parts.map((p, k) => (k === i ? { ...p, text: choice } : p));
        const found = await this.rank(tried, all);
        if (found.length) { parts = tried; hits = found; break; }
      }
    }
    if (!hits.length && parts.some((p) => p.mode === 'pinyin' && p.english)) {
      const words = parts.map((p, i) => (p.mode === 'pinyin' ? { ...p, text: parsed.segments[i].text, mode: 'words' } : p));
      const more = await this.rank(words, all);
      if (more.length) { parts = words; hits = more; }
    }
    return { parts, hits, filters: all, empty: !parsed.segments.length && !all.length };
  }

  /**
   * Results ``start``… of a search, up to ``size``, with fragments: quoted phrases must
   * occur exactly (hits without them are skipped), exact phrases and title matches move
   * up, and each result links to its section with the most hits. ``dropped`` counts the hits
   * read here that lack a quoted phrase: the true count is ``hits.length`` minus all dropped.
   */
  async results({ parts, hits }, start = 0, size = 10) {
    const needles = parts.map((p) => p.text);
    const phrases = parts.filter((p) => p.quoted).map((p) => normalize(p.text));
    const out = [];
    let next = start, dropped = 0;
    // A rare quoted phrase could make this read every fragment: stop after 5 pages' worth.
    const limit = Math.min(hits.length, start + 5 * size);
    while (out.length < size && next < limit) {
      const batch = hits.slice(next, next + size - out.length);
      next += batch.length;
      const frags = await Promise.all(batch.map((h) => this.fragment(h.id)));
      if (parts.some((p) => p.mode === 'pinyin')) await this.foldFor(frags);
      batch.forEach((hit, k) => {
        const r = describe(frags[k], needles, parts);
        if (phrases.every((p) => r.all.includes(p))) out.push({ ...r, id: hit.id, score: hit.score * r.boost });
        else dropped++;
      });
    }
    out.sort((a, b) => b.score - a.score || a.id - b.id);
    return { items: out, next, dropped };
  }
}

/** What a result shows: title and snippet ranges, link with the best section's anchor. */
export function describe(f, needles, parts) {
  const sections = f.s.map(([anchor, heading, body]) => ({ anchor, heading, body }));
  const all = normalize([f.t, f.m || '', f.p || '', ...f.s.map(([, heading, body]) => `${heading}\n${body}`)].join('\n'));
  const exact = needles.map(normalize).filter((n) => all.includes(n));
  // Pairs stand in for a Han phrase that only occurs split (课后 … 服务).
  const look = exact.length === needles.length ? exact : [...exact, ...parts.flatMap((p) => termsOf(p.text))];
  let best = null;
  for (const s of sections) {
    const inBody = findAll(s.body, look), inHeading = findAll(s.heading, look);
    const hits = inBody.length + 2 * inHeading.length;
    if (!best || hits > best.hits) best = { ...s, hits, ranges: inBody, headingRanges: inHeading };
  }
  const titleRanges = findAll(f.t, look);
  const boost = 1 + 0.25 * exact.length / Math.max(1, needles.length) + (titleRanges.length ? 0.25 : 0);
  const anchor = best && best.hits && best.anchor ? `#${best.anchor}` : '';
  return {
    url: f.u + anchor, title: f.t, titleRanges, date: f.d, tags: f.g, lang: f.l, all, boost,
    heading: best ? best.heading : '', parts: best ? snippet(best.body, best.ranges) : [],
  };
}
