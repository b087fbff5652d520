#!/usr/bin/env node
/**
 * `npm run bench:search` (issue 15): full-text search over 10,000 indexed versions, from outside
 * workerd. Node runs the Worker in Miniflare (scripts/lib/scale-worker.mjs: bundled as wrangler
 * bundles it, wrangler.toml's bindings, a throwaway state folder, every D1 result's meta metered)
 * and loads a generated history straight into D1: 1,000 articles × 10 versions whose text comes
 * from the fixtures' extracted articles (English and Korean) with their numbers varied, a sentence
 * of another article mixed in, and one edit per version (a figure changed, a sentence rewritten,
 * added or dropped, now and then the headline). The index rows are what the Worker writes: built
 * in Node by its own indexedText, diffVersions and changeText, inserted with the commit's columns.
 *
 * It prints what the index adds (D1 rows written per row; database bytes per version and per
 * change, from `meta.size_after` before and after each index is filled) and one table of query
 * times through GET /api/search (p50 / p95 over `--runs` calls after two warm-ups, wall time of
 * worker.fetch) with the D1 rows each query reads (meta.rows_read).
 *
 *   npm run bench:search
 *   npm run bench:search -- --articles 200 --versions 5 --runs 10 [--source <checkout>]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { importWorkerModules } from "./lib/bundle.mjs";
import { quantile } from "./lib/metrics.mjs";
import { random } from "./lib/random.mjs";
import { startRedline } from "./lib/scale-worker.mjs";

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1] : fallback;
}
/** The repository whose Worker and fixtures are measured (default: this one). */
const root = option("source", fileURLToPath(new URL("..", import.meta.url)));
const ARTICLES = Number(option("articles", "1000"));
const VERSIONS = Number(option("versions", "10"));
const RUNS = Number(option("runs", "20"));
/** Statements per D1 batch while loading. */
const LOAD_BATCH = 100;
const HOUR_MS = 60 * 60 * 1000;
const START_MS = Date.parse("2019-09-01T00:00:00Z");

const log = (...parts) => console.error(...parts);

/** The Worker's own text handling, bundled for Node. */
function workerModules() {
  return importWorkerModules(
    "search-modules",
    [
      'export { indexedText } from "./src/search/text.ts";',
      'export { changeText } from "./src/search/changes.ts";',
      'export { diffVersions, normalizeContent } from "./src/diffing/index.ts";',
      'export { sentenceSpans } from "./src/diffing/sentences.ts";',
      'export { articleIdFor } from "./src/fetching/url.ts";',
    ],
    { root, mainFields: ["module", "main"] },
  );
}

/** Every extracted fixture article (title and paragraphs), with its site. */
function fixtureArticles() {
  const found = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".expected.json")) {
        const content = JSON.parse(readFileSync(path, "utf8"));
        if (Array.isArray(content.paragraphs) && content.paragraphs.length >= 3) found.push({ site: relative(join(root, "fixtures/sites"), path).split("/")[0], content });
      }
    }
  };
  walk(join(root, "fixtures/sites"));
  return found;
}

// -- the generated history ------------------------------------------------------------------------

function generator(modules, fixtures) {
  const rand = random(15);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const pool = fixtures.flatMap(({ content }) => content.paragraphs.flatMap((paragraph) => modules.sentenceSpans(paragraph)));
  const varyNumbers = (text) => text.replace(/\d+/g, (digits) => String(Math.max(1, Math.round(Number(digits) * (0.5 + rand())))).slice(0, digits.length + 1));
  /** One edit of a paragraph list, as newsrooms make them. */
  const edit = (paragraphs) => {
    const next = [...paragraphs];
    const at = Math.floor(rand() * next.length);
    const sentences = modules.sentenceSpans(next[at]);
    const which = Math.floor(rand() * sentences.length);
    const roll = rand();
    if (roll < 0.35) sentences[which] = varyNumbers(sentences[which]).replace(/\b(six|five|four|three|two)-fold\b/, (word) => `${pick(["two", "three", "four", "five", "six"])}-fold`);
    else if (roll < 0.65) sentences[which] = pick(pool);
    else if (roll < 0.85) sentences.splice(which + 1, 0, pick(pool));
    else if (sentences.length > 1) sentences.splice(which, 1);
    next[at] = sentences.join(" ");
    return next;
  };
  return { pick, rand, varyNumbers, edit, pool };
}

async function history(modules) {
  const fixtures = fixtureArticles();
  const { pick, rand, varyNumbers, edit } = generator(modules, fixtures);
  const articles = [];
  for (let i = 0; i < ARTICLES; i++) {
    const base = fixtures[i % fixtures.length];
    const url = `https://${base.site}/bench/${i}`;
    const id = await modules.articleIdFor(url);
    const first = modules.normalizeContent({ ...base.content, paragraphs: base.content.paragraphs.map(varyNumbers) });
    const paragraphs = [...first.paragraphs];
    paragraphs.splice(Math.floor(rand() * paragraphs.length), 0, pick(fixtures).content.paragraphs[0]);
    const versions = [];
    let content = { ...first, paragraphs };
    for (let n = 1; n <= VERSIONS; n++) {
      if (n > 1) content = modules.normalizeContent({ ...content, title: rand() < 0.1 ? varyNumbers(`${content.title} (updated)`) : content.title, paragraphs: edit(content.paragraphs) });
      versions.push({ n, capturedAt: new Date(START_MS + i * 60_000 + n * HOUR_MS).toISOString(), ...content });
    }
    articles.push({ id, url, site: base.site, versions });
  }
  return articles;
}

// -- loading --------------------------------------------------------------------------------------

async function runBatches(redline, statements) {
  let rowsWritten = 0;
  let sizeAfter = 0;
  for (let start = 0; start < statements.length; start += LOAD_BATCH) {
    const results = await redline.batch(statements.slice(start, start + LOAD_BATCH));
    for (const { meta } of results) {
      rowsWritten += meta.rows_written ?? 0;
      sizeAfter = meta.size_after ?? sizeAfter;
    }
  }
  return { rowsWritten, sizeAfter };
}

async function load(redline, modules, articles) {
  const base = [];
  const versionRows = [];
  const changeRows = [];
  for (const article of articles) {
    const last = article.versions.at(-1);
    base.push({
      sql: `INSERT INTO articles (id, url, site, title, first_seen_at, last_checked_at, last_changed_at, next_check_at, version_count, change_count, latest_hash, tracking)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
      params: [article.id, article.url, article.site, last.title, article.versions[0].capturedAt, last.capturedAt, last.capturedAt, Date.parse(last.capturedAt), VERSIONS, VERSIONS, `h${VERSIONS}`],
    });
    let previous = null;
    for (const version of article.versions) {
      const capturedMs = Date.parse(version.capturedAt);
      base.push({
        sql: "INSERT INTO versions (article_id, n, captured_at, content_hash, record_sha256, title, modified_at) VALUES (?, ?, ?, ?, ?, ?, NULL)",
        params: [article.id, version.n, version.capturedAt, `h${version.n}`, `${article.id}${version.n}`.padEnd(64, "0"), version.title],
      });
      const { body, grams } = modules.indexedText(version);
      versionRows.push({ sql: "INSERT INTO version_search (article_id, n, captured_at_ms, body, grams) VALUES (?, ?, ?, ?, ?)", params: [article.id, version.n, capturedMs, body, grams] });
      const diff = previous ? modules.diffVersions(previous, version) : null;
      const change = {
        id: `${article.id}-${version.n}`,
        articleId: article.id,
        seq: version.n,
        url: article.url,
        title: version.title,
        from: previous ? previous.n : null,
        to: version.n,
        detectedAt: version.capturedAt,
        kinds: diff ? diff.kinds : ["created"],
        summary: diff ? diff.summary : "First capture",
      };
      base.push({
        sql: `INSERT INTO changes (article_id, seq, id, detected_at_ms, site, url, title, from_n, to_n, kinds, summary, significance, record)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        params: [article.id, change.seq, change.id, capturedMs, article.site, article.url, change.title, change.from, change.to, JSON.stringify(change.kinds), change.summary, diff?.significance ?? 1, JSON.stringify(change)],
      });
      if (diff) {
        const text = modules.changeText(diff);
        changeRows.push({
          sql: "INSERT INTO change_search (article_id, seq, detected_at_ms, removed, added, removed_grams, added_grams) VALUES (?, ?, ?, ?, ?, ?, ?)",
          params: [article.id, change.seq, capturedMs, text.removed, text.added, text.removedGrams, text.addedGrams],
        });
      }
      previous = version;
    }
  }
  const textBytes = versionRows.reduce((sum, row) => sum + Buffer.byteLength(row.params[3]) + Buffer.byteLength(row.params[4]), 0);
  const tables = await runBatches(redline, base);
  log(`  ${articles.length} articles, ${versionRows.length} versions, ${base.length - articles.length - versionRows.length} changes stored: ${(tables.sizeAfter / 1e6).toFixed(1)} MB`);
  const versionIndex = await runBatches(redline, versionRows);
  log(`  version_search filled: ${(versionIndex.sizeAfter / 1e6).toFixed(1)} MB`);
  const changeIndex = await runBatches(redline, changeRows);
  log(`  change_search filled: ${(changeIndex.sizeAfter / 1e6).toFixed(1)} MB`);
  return {
    versions: versionRows.length,
    changes: changeRows.length,
    textBytesPerVersion: textBytes / versionRows.length,
    rowsWrittenPerVersion: versionIndex.rowsWritten / versionRows.length,
    rowsWrittenPerChange: changeIndex.rowsWritten / changeRows.length,
    bytesPerVersion: (versionIndex.sizeAfter - tables.sizeAfter) / versionRows.length,
    bytesPerChange: (changeIndex.sizeAfter - versionIndex.sizeAfter) / changeRows.length,
  };
}

// -- queries --------------------------------------------------------------------------------------

const QUERIES = [
  ["word", "q=negotiator"],
  ["a word few articles hold", "q=Thursday"],
  ["phrase", "q=%22cost-sharing%20talks%22"],
  ["prefix", "q=negotiat*"],
  ["Korean, two syllables", `q=${encodeURIComponent("협상")}`],
  ["site filter", "q=negotiat*&site=en.yna.co.kr"],
  ["sort=time", "q=negotiat*&sort=time"],
  ["sort=time, 2nd page", null],
  ["in=removed", "q=five-fold&in=removed"],
  ["in=added, prefix", "q=negotiat*&in=added"],
];

async function timeQueries(redline) {
  const rows = [];
  let secondPage = null;
  for (const [label, fixed] of QUERIES) {
    const query = fixed ?? secondPage;
    // A corpus too small for a second page of sort=time has none to time.
    if (query === null) continue;
    const times = [];
    let json = null;
    let rowsRead = 0;
    for (let run = 0; run < RUNS + 2; run++) {
      await redline.meters(true);
      const started = performance.now();
      const response = await redline.worker.fetch(`http://bench.local/api/search?${query}`);
      const text = await response.text();
      const elapsed = performance.now() - started;
      if (!response.ok) throw new Error(`${label}: HTTP ${response.status}: ${text.slice(0, 300)}`);
      json = JSON.parse(text);
      rowsRead = (await redline.meters(true)).fetch?.rowsRead ?? 0;
      if (run >= 2) times.push(elapsed);
    }
    if (label === "sort=time" && json.cursor !== null) secondPage = `${query}&cursor=${json.cursor}`;
    times.sort((a, b) => a - b);
    rows.push({ label, query: decodeURIComponent(query.split("&cursor=")[0]) + (fixed ? "" : "&cursor=…"), hits: json.items.length, more: json.cursor !== null, p50: quantile(times, 0.5), p95: quantile(times, 0.95), rowsRead });
  }
  return rows;
}

// -- main -----------------------------------------------------------------------------------------

const redline = await startRedline({ root, vars: { ADMIN_TOKEN: "bench-search" } });
try {
  const modules = await workerModules();
  log(`Generating ${ARTICLES} articles × ${VERSIONS} versions from the fixtures…`);
  const articles = await history(modules);
  log("Loading them into D1 with their index rows…");
  const index = await load(redline, modules, articles);
  log("Timing queries…");
  const queries = await timeQueries(redline);

  console.log(`\n## Search over ${index.versions.toLocaleString("en")} indexed versions and ${index.changes.toLocaleString("en")} indexed changes\n`);
  console.log("| what the index adds | per version (version_search) | per change (change_search) |");
  console.log("|---|---|---|");
  console.log(`| D1 rows written by its INSERT (meta.rows_written) | ${index.rowsWrittenPerVersion.toFixed(2)} | ${index.rowsWrittenPerChange.toFixed(2)} |`);
  console.log(`| database bytes (meta.size_after, before → after) | ${Math.round(index.bytesPerVersion).toLocaleString("en")} | ${Math.round(index.bytesPerChange).toLocaleString("en")} |`);
  console.log(`| its indexed text (body + grams, UTF-8) | ${Math.round(index.textBytesPerVersion).toLocaleString("en")} | — |`);
  console.log(`\n| query | parameters | hits on the page (more?) | p50 ms | p95 ms | D1 rows read |`);
  console.log("|---|---|---|---|---|---|");
  for (const row of queries) {
    console.log(`| ${row.label} | \`${row.query}\` | ${row.hits}${row.more ? " (more)" : ""} | ${row.p50.toFixed(1)} | ${row.p95.toFixed(1)} | ${row.rowsRead.toLocaleString("en")} |`);
  }
  console.log(`\n${RUNS} timed calls per query after 2 warm-ups; wall time of worker.fetch in Miniflare (local SQLite), limit 20.`);
} finally {
  await redline.dispose();
}
