// node --test tests/js/: the pure half of the search client (themes/default/static/search-core.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  tokenize, filterTerm, crc32, termsOf, parseQuery, parsePinyin, candidates, lexiconKeys,
  findAll, snippet, describe, rank, findTerm, normalize,
} from '../../themes/default/static/search-core.mjs';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/search_tokens.json', import.meta.url), 'utf8'));
const utf8 = new TextEncoder();

test('tokens match the shared fixture', () => {
  for (const { input, tokens } of fixture.tokens) assert.deepEqual(tokenize(input), tokens, JSON.stringify(input));
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
  assert.deepEqual(termsOf('Campus safety'), ['campus', 'safety']);
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

const LEXICON = [
  ['课后服务', 'ke hou fu wu', 1200], ['双减', 'shuang jian', 1500], ['书记', 'shu ji', 900],
  ['实际', 'shi ji', 40], ['课后服务水平', 'ke hou fu wu shui ping', 30], ['银行', 'yin hang', 5],
];

test('pinyin: candidates from the lexicon, as long as the input if any, heavier first', () => {
  const pick = (q) => candidates(parsePinyin(q, SYLLABLES), LEXICON);
  assert.deepEqual(pick('khfw'), ['课后服务']);
  assert.deepEqual(pick('kehoufuwu'), ['课后服务']);
  assert.deepEqual(pick('ke hou fu wu'), ['课后服务']);
  assert.deepEqual(pick('课后fw'), ['课后服务']);
  assert.deepEqual(pick('kehouf'), ['课后服务', '课后服务水平']); // nothing of 3: longer words
  assert.deepEqual(pick('sj'), ['双减', '书记', '实际']);
  assert.deepEqual(pick('shuāngjiǎn'), ['双减']);
  assert.deepEqual(pick('yinhang'), ['银行']); // the phrase reading, not 行's own (xing)
  assert.deepEqual(pick('yinxing'), []);
});

test('pinyin: lexicon shard keys from first two units; Hanzi by their readings', () => {
  const readings = new Map([['课', ['ke']], ['行', ['xing', 'hang']]]);
  assert.deepEqual(lexiconKeys(parsePinyin('khfw', SYLLABLES)[0], readings), ['kh']);
  assert.deepEqual(lexiconKeys(parsePinyin('课后fw', SYLLABLES)[0], new Map([...readings, ['后', ['hou']]])), ['kh']);
  assert.deepEqual(lexiconKeys([{ t: 'h', v: '行' }, { t: 'p', v: 'y' }], readings), ['xy', 'hy']);
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
