// node --test tests/js/: the pure half of the search client (themes/default/static/search-core.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  tokenize, filterTerm, crc32, termsOf, parseQuery, parsePinyin, chainWords, bestWords, pairKey, fitChar,
  findAll, snippet, describe, rank, findTerm, normalize, setFold, stem,
} from '../../themes/default/static/search-core.mjs';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/search_tokens.json', import.meta.url), 'utf8'));
const utf8 = new TextEncoder();

test('tokens match the shared fixture', () => {
  setFold(fixture.fold);
  try {
    for (const { input, tokens } of fixture.tokens) assert.deepEqual(tokenize(input), tokens, JSON.stringify(input));
  } finally { setFold(null); }
});

test('stems match the shared fixture', () => {
  for (const { word, stem: want } of fixture.stems) assert.equal(stem(word), want, word);
});

test('traditional characters fold only once the table is set', () => {
  assert.equal(normalize('課後'), '課後');
  setFold({ 課: '课', 後: '后' });
  try {
    assert.equal(normalize('課後服務'), '课后服務'); // 務 is not in this table: not folded
    assert.deepEqual(termsOf('課後'), ['课后']);
  } finally { setFold(null); }
});

test('filter terms match the shared fixture', () => {
  for (const { kind, value, term } of fixture.filters) assert.equal(filterTerm(kind, value), term);
});

test('CRC-32 (shard choice) matches zlib', () => {
  assert.equal(crc32(utf8.encode('123456789')), 0xcbf43926);
  for (const { term, crc32: want } of fixture.crc32) assert.equal(crc32(utf8.encode(term)), want, term);
});

test('a Han run is looked up by its pairs, a single character by itself', () => {
  assert.deepEqual(termsOf('课后服务'), ['课后', '后服', '服务']);
  assert.deepEqual(termsOf('课'), ['课']);
  assert.deepEqual(termsOf('Campus safety'), ['campu', 'safeti']); // stems, as the index stores them
});

test('query parsing: filters, quoted phrases, pinyin spaces kept in one segment', () => {
  const q = parseQuery('课后服务 tag:双减 year:2023 "优质 均衡" ke hou fu wu');
  assert.deepEqual(q.filters, [{ kind: 'tag', value: '双减' }, { kind: 'year', value: '2023' }]);
  assert.deepEqual(q.segments, [
    { text: '课后服务', quoted: false, latin: false },
    { text: '优质 均衡', quoted: true, latin: false },
    { text: 'ke hou fu wu', quoted: false, latin: true },
  ]);
  assert.deepEqual(parseQuery('“课后服务”').segments, [{ text: '课后服务', quoted: true, latin: false }]);
  assert.deepEqual(parseQuery('meeting:"局长 办公会"').filters, [{ kind: 'meeting', value: '局长 办公会' }]);
  assert.deepEqual(parseQuery('  ，。 ').segments, []);
});

const SYLLABLES = new Set(['ke', 'hou', 'fu', 'wu', 'shuang', 'jian', 'shu', 'ang', 'ji', 'an', 'shi',
  'a', 'e', 'xi', 'xian', 'yin', 'hang', 'xing', 'lv']);
const show = (parses) => parses.map((p) => p.map((u) => `${u.t}:${u.v}`).join(' '));

test('pinyin: initials, typing prefixes, mixed Hanzi, spaces, tone marks', () => {
  assert.deepEqual(show(parsePinyin('khfw', SYLLABLES))[0], 'p:k p:h p:f p:w');
  assert.deepEqual(show(parsePinyin('kehouf', SYLLABLES))[0], 's:ke s:hou p:f');
  assert.deepEqual(show(parsePinyin('课后fw', SYLLABLES))[0], 'h:课 h:后 p:f p:w');
  assert.deepEqual(show(parsePinyin('ke hou fu wu', SYLLABLES))[0], 's:ke s:hou s:fu s:wu');
  assert.deepEqual(show(parsePinyin('kehoufuwu', SYLLABLES))[0], 's:ke s:hou s:fu s:wu');
  assert.deepEqual(show(parsePinyin('shuāngjiǎn', SYLLABLES))[0], 's:shuang s:jian');
  assert.deepEqual(show(parsePinyin('shuang1jian3', SYLLABLES))[0], 's:shuang s:jian');
  assert.deepEqual(show(parsePinyin('lǜ', SYLLABLES))[0], 's:lv');
  assert.deepEqual(show(parsePinyin('sj', SYLLABLES))[0], 'p:s p:j');
  assert.deepEqual(show(parsePinyin("xi'an", SYLLABLES))[0], 's:xi s:an');
  assert.deepEqual(show(parsePinyin('xian', SYLLABLES))[0], 's:xian');
});

test('pinyin: English words that cannot be pinyin give nothing', () => {
  assert.deepEqual(parsePinyin('campus', SYLLABLES), []);
  assert.deepEqual(parsePinyin('', SYLLABLES), []);
});

// Readings as search/syllables/… gives them, main first.
const READINGS = new Map(Object.entries({
  校: ['xiao', 'jiao'], 园: ['yuan'], 足: ['zu', 'ju'], 球: ['qiu'], 银: ['yin'], 行: ['xing', 'hang', 'heng'],
  重: ['zhong', 'chong'], 庆: ['qing'], 长: ['chang', 'zhang'], 双: ['shuang'], 减: ['jian'], 书: ['shu'],
  记: ['ji'], 实: ['shi'], 际: ['ji'], 中: ['zhong'], 青: ['qing'], 市: ['shi'], 教: ['jiao'],
}));
const SITE_SYLLABLES = new Set([...READINGS.values()].flat());
// Pair shards' entries: [pair, briefings, in a tag, phrase reading if not the main readings].
const PAIRS = [['校园', 40, 0], ['园足', 1, 0], ['足球', 3, 0], ['银行', 5, 0, 'yin hang'], ['重庆', 2, 0, 'chong qing'],
  ['庆银', 1, 0], ['行长', 1, 0, 'hang zhang'], ['双减', 1500, 1], ['书记', 900, 0], ['实际', 40, 0], ['中青', 7, 0],
  ['市教', 2000, 0]];
const words = (q) => {
  const units = parsePinyin(q, SITE_SYLLABLES)[0];
  return bestWords(chainWords(units, units.slice(1).map(() => PAIRS), READINGS));
};

test('pinyin: pairs chain into the words of the site, whatever form the query takes', () => {
  for (const q of ['xiaoyuanzuqiu', 'xiao yuan zu qiu', 'xiaoyuan zuqiu', 'xyzq', '校园zq', '校园zuqiu',
    'xiaoyuan足球', 'xiǎoyuánzúqiú', "xiao'yuan'zu'qiu"]) {
    assert.deepEqual(words(q).slice(0, 1), ['校园足球'], q);
  }
  assert.deepEqual(words('xiaoyuanzu'), ['校园足'], 'a word being typed');
  assert.deepEqual(words('zuqiu'), ['足球']);
});

test('pinyin: heteronyms by every reading, the phrase reading first', () => {
  assert.deepEqual(words('yinhang'), ['银行']);
  assert.deepEqual(words('yinxing'), ['银行'], 'another reading of 行 still finds it');
  assert.deepEqual(words('chongqing'), ['重庆']);
  assert.deepEqual(words('zhongqing'), ['中青', '重庆'], "the main readings' word first");
  assert.deepEqual(words('hangzhang'), ['行长']);
  assert.deepEqual(words('chongqingyinhang'), ['重庆银行']);
});

test('pinyin: initials offer every fitting word, tags first, then most briefings first', () => {
  assert.deepEqual(words('sj'), ['双减', '市教', '书记', '实际']);
  assert.deepEqual(words('yh'), ['银行']);
});

test('pinyin: a character fits by main or phrase reading (0), another reading (1), or not', () => {
  assert.equal(fitChar({ t: 's', v: 'xing' }, '行', READINGS.get('行')), 0);
  assert.equal(fitChar({ t: 's', v: 'hang' }, '行', READINGS.get('行')), 1);
  assert.equal(fitChar({ t: 's', v: 'hang' }, '行', READINGS.get('行'), 'hang'), 0);
  assert.equal(fitChar({ t: 'p', v: 'h' }, '行', READINGS.get('行')), 0, 'an initial fits any reading alike');
  assert.equal(fitChar({ t: 'p', v: 'han' }, '行', READINGS.get('行')), 1, 'a syllable being typed does not');
  assert.equal(fitChar({ t: 'h', v: '行' }, '行', []), 0);
  assert.equal(fitChar({ t: 's', v: 'yin' }, '行', READINGS.get('行')), -1);
});

test('pinyin: pair shard keys: two letters of a syllable and one, or two initials; Hanzi by main reading', () => {
  const units = (q) => parsePinyin(q, SITE_SYLLABLES)[0];
  assert.equal(pairKey(...units('xy'), READINGS), 'xy');
  assert.equal(pairKey(...units('xiaoyuan'), READINGS), 'xi-y');
  assert.equal(pairKey(...units('zhongqing'), READINGS), 'zh-q');
  assert.equal(pairKey(...units('银h'), READINGS), 'yi-h');
  assert.equal(pairKey({ t: 'p', v: 'zh' }, { t: 'p', v: 'q' }, READINGS), 'zh-q');
  assert.equal(pairKey({ t: 'h', v: '行' }, { t: 'p', v: 'z' }, READINGS), 'xi-z');
  assert.equal(pairKey({ t: 'h', v: '龘' }, { t: 'p', v: 'z' }, READINGS), null);
});

function shard(records) {
  const bytes = [];
  const varint = (n) => { while (n >= 128) { bytes.push((n & 127) | 128); n = Math.floor(n / 128); } bytes.push(n); };
  for (const [term, ids, impacts] of records) {
    const t = utf8.encode(term);
    const idBytes = [];
    const save = bytes.length;
    ids.forEach((id, i) => varint(i ? id - ids[i - 1] : id));
    idBytes.push(...bytes.splice(save));
    varint(t.length); bytes.push(...t); varint(ids.length); varint(idBytes.length);
    bytes.push(...idBytes, ...impacts);
  }
  return new Uint8Array(bytes);
}

test('shard records decode; AND ranks by idf × impact, then newest', () => {
  const data = shard([['课后', [1, 3, 300], [5, 9, 9]], ['服务', [3, 300, 301], [1, 15, 1]]]);
  const a = findTerm(data, '课后'), b = findTerm(data, '服务');
  assert.deepEqual([...a.ids], [1, 3, 300]);
  assert.deepEqual([...b.impacts], [1, 15, 1]);
  assert.equal(findTerm(data, '双减'), null);
  assert.deepEqual(rank([a, b], 1000).map((h) => h.id), [300, 3]);
  assert.deepEqual(rank([a, { ...b, filter: true }], 1000).map((h) => h.id), [3, 300]);
  assert.deepEqual(rank([a, null], 1000), []);
});

test('highlights: longest needle first, whole English words, original offsets kept', () => {
  assert.deepEqual(findAll('提升课后服务水平，课后', ['课后服务', '课后']), [[2, 6], [9, 11]]);
  assert.deepEqual(findAll('unsafe safety', ['safe', 'safety']), [[7, 13]]);
  assert.deepEqual(findAll('ＫＥＨＯＵ kehou', ['kehou']), [[0, 5], [6, 11]]);
});

test('snippets cut at sentence punctuation and mark hits; hostile text stays text', () => {
  const text = '第一句。第二句有课后服务内容。第三句';
  const parts = snippet(text, findAll(text, ['课后服务']), 20);
  assert.deepEqual(parts, [['…', false], ['第二句有', false], ['课后服务', true], ['内容。第三句', false]]);
  const hostile = '<script>alert(1)</script> "课后服务"</mark>';
  const joined = snippet(hostile, findAll(hostile, ['课后服务'])).map(([t]) => t).join('');
  assert.equal(joined, hostile);
});

test('a result links to the section with the most hits', () => {
  const f = {
    u: '/briefings/2023/06/x/', t: '市教育局召开局务会', d: '2023-06-15', g: ['双减'], l: 'zh',
    s: [['', '', '开场。'], ['chuan-da', '传达学习', '课后服务。'], ['ting-qu', '听取', '课后服务，课后服务。']],
  };
  const r = describe(f, ['课后服务'], [{ text: '课后服务' }]);
  assert.equal(r.url, '/briefings/2023/06/x/#ting-qu');
  assert.equal(r.heading, '听取');
  assert.ok(r.parts.some(([t, m]) => m && t === '课后服务'));
  const none = describe(f, ['双减'], [{ text: '双减' }]);
  assert.equal(none.url, '/briefings/2023/06/x/'); // a tag match: no section to jump to
  assert.equal(normalize(none.title), '市教育局召开局务会');
});
