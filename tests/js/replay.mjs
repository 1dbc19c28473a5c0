// Replay queries against a built search index the way the browser does, counting bytes.
// Usage: node tests/js/replay.mjs SITE_DIR '["课后服务", "khfw"]' [--json]
// SITE_DIR holds search/entry.json. Each query starts cold (nothing cached), fetches the
// first 10 results' fragments, and is charged the search scripts too (raw and gzip).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Searcher } from '../../themes/default/static/search-core.mjs';

const [site, queriesJson, flag] = process.argv.slice(2);
const STATIC = fileURLToPath(new URL('../../themes/default/static/', import.meta.url));
const scripts = ['search.js', 'search-core.mjs'].map((name) => {
  try { return readFileSync(join(STATIC, name)); } catch { return Buffer.alloc(0); }
});
const scriptRaw = scripts.reduce((n, b) => n + b.length, 0);
const scriptGzip = scripts.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);

async function run(query) {
  const bytes = { entry: 0, syllables: 0, fold: 0, pairs: 0, shards: 0, fragments: 0 };
  const files = [];
  const get = async (url) => {
    const path = decodeURIComponent(new URL(url).pathname);
    const data = new Uint8Array(readFileSync(join(site, path)));
    const kind = path.endsWith('entry.json') ? 'entry' : path.includes('/t/') ? 'shards'
      : path.includes('/f/') ? 'fragments' : path.includes('/p/') ? 'pairs'
        : path.includes('/fold/') ? 'fold' : 'syllables';
    bytes[kind] += data.length;
    files.push(path);
    return data;
  };
  const searcher = new Searcher('http://site.test/search/entry.json', get);
  const found = await searcher.search(query);
  const page = await searcher.results(found, 0, 10);
  const index = Object.values(bytes).reduce((a, b) => a + b, 0);
  return {
    query, total: found.hits.length, parts: found.parts.map((p) => ({ text: p.text, mode: p.mode, choices: p.choices })),
    top: page.items.map((r) => ({ url: r.url, title: r.title, snippet: r.parts.map(([t, m]) => (m ? `<${t}>` : t)).join('') })),
    bytes, index, withScriptRaw: index + scriptRaw, withScriptGzip: index + scriptGzip, files: files.length,
  };
}

const out = [];
for (const q of JSON.parse(queriesJson)) out.push(await run(q));
if (flag === '--json') console.log(JSON.stringify(out));
else {
  const kb = (n) => (n / 1000).toFixed(1).padStart(6);
  console.log(`  script: ${kb(scriptRaw)} KB raw, ${kb(scriptGzip)} KB gzip`);
  console.log('  query            hits  index KB (entry syl fold pairs shards frag)   total KB w/ script raw | gzip   top result');
  for (const r of out) {
    const b = r.bytes;
    console.log(`  ${r.query.padEnd(16)}${String(r.total).padStart(5)} ${kb(r.index)} (${kb(b.entry)}${kb(b.syllables)}${kb(b.fold)}${kb(b.pairs)}${kb(b.shards)}${kb(b.fragments)})  ${kb(r.withScriptRaw)} | ${kb(r.withScriptGzip)}   ${r.parts.map((p) => p.text).join(' ')} → ${(r.top[0] || {}).url || '-'}`);
  }
}
