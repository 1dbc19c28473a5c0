// For tests/test_search_pinyin.py: each [hanzi, pinyin] pair searched both ways with the
// browser's own code under Node, against a built index.
// Usage: node tests/js/same.mjs SITE_DIR '[["校园足球", "xiaoyuanzuqiu"], …]'
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Searcher } from '../../themes/default/static/search-core.mjs';

const [site, pairsJson] = process.argv.slice(2);
const get = async (url) => new Uint8Array(readFileSync(join(site, decodeURIComponent(new URL(url).pathname))));
const searcher = new Searcher('http://site.test/search/entry.json', get);
const ids = (found) => found.hits.map((h) => [h.id, Math.round(h.score * 1e6)]);
const out = [];
for (const [hanzi, pinyin] of JSON.parse(pairsJson)) {
  const byHanzi = await searcher.search(hanzi);
  const byPinyin = await searcher.search(pinyin);
  const picked = await searcher.search(pinyin, { picks: { 0: hanzi } });
  out.push({
    hanzi, pinyin, choices: byPinyin.parts.map((p) => p.choices), chosen: byPinyin.parts.map((p) => p.text),
    hanziHits: ids(byHanzi), pinyinHits: ids(byPinyin), pickedHits: ids(picked),
  });
}
console.log(JSON.stringify(out));
