#!/usr/bin/env node
// Runs the extractor over the real pages in ../shared/corpus, which the workerd tests cannot
// read from the host filesystem. Run by hand from the repository root:
//
//   node src/extraction/check-corpus.mjs              # seed-site pages, printed in full
//   node src/extraction/check-corpus.mjs --wcxb 60    # plus word F1 on 60 WCXB article pages
//   node src/extraction/check-corpus.mjs --fixtures   # plus the fixtures, decoded by charset
//
// It bundles src/extraction/index.ts with esbuild (already a dev dependency through wrangler)
// and reports, never asserts: the corpus is optional and its reference text is not human gold.
// --fixtures covers what fixtures.test.ts must skip: pages stored in a legacy charset, which
// `?raw` imports cannot decode.
import { build } from "esbuild";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";

const corpus = process.env.REDLINE_CORPUS ?? join(process.cwd(), "..", "shared", "corpus");

const bundlePath = join(mkdtempSync(join(tmpdir(), "redline-extraction-")), "extraction.mjs");
await build({
  entryPoints: ["src/extraction/index.ts"],
  bundle: true,
  format: "esm",
  platform: "neutral",
  outfile: bundlePath,
  logLevel: "error",
});
const { extractArticle } = await import(pathToFileURL(bundlePath).href);

/** The WCXB metric: F1 over lower-cased \w+ tokens, as multisets. */
function wordF1(extracted, gold) {
  const tokens = (text) => text.toLowerCase().match(/\w+/g) ?? [];
  const goldCounts = new Map();
  for (const token of tokens(gold)) goldCounts.set(token, (goldCounts.get(token) ?? 0) + 1);
  const extractedTokens = tokens(extracted);
  let overlap = 0;
  for (const token of extractedTokens) {
    const left = goldCounts.get(token) ?? 0;
    if (left > 0) {
      overlap++;
      goldCounts.set(token, left - 1);
    }
  }
  const goldTotal = tokens(gold).length;
  if (overlap === 0 || goldTotal === 0) return 0;
  const precision = overlap / extractedTokens.length;
  const recall = overlap / goldTotal;
  return (2 * precision * recall) / (precision + recall);
}

function timed(html, url) {
  const started = performance.now();
  const result = extractArticle(html, url);
  return { result, milliseconds: performance.now() - started };
}

const SITE_PAGES = [
  ["sites/yonhap/newspaper4k_yna_co_kr_AEN20190820002300325.html", "https://en.yna.co.kr/view/AEN20190820002300325", "sites/yonhap/newspaper4k_yna_co_kr_AEN20190820002300325.gold.txt"],
  ["sites/yonhap/alphaHeavy-goose_yonhapnews1_2017-06-01_AEN20170601002651315.html", "http://english.yonhapnews.co.kr/news/2017/06/01/0200000000AEN20170601002651315.html"],
  ["sites/thestandard/ayltai-hknews_thestandard_details_2020-08-07.html", "https://www.thestandard.com.hk/breaking-news/section/4/152604/Voluntary-virus-tests-for-all-in-two-weeks"],
  ["sites/thestandard/ayltai-hknews-backend_thestandard_details_2018-08-01.html", "http://www.thestandard.com.hk/breaking-news.php?id=111401&sid=4"],
  ["sites/thestandard/ayltai-hknews_thestandard_list_2020-08.html", "https://www.thestandard.com.hk/section-news-list/section/local/"],
];

if (!existsSync(corpus)) console.log(`no corpus at ${corpus}; skipping the real pages`);

for (const [page, url, goldPath] of SITE_PAGES) {
  const path = join(corpus, page);
  if (!existsSync(path)) continue;
  // Warm-up run first, so the timing below is the steady-state cost, not JIT compilation.
  timed(readFileSync(path, "utf8"), url);
  const { result, milliseconds } = timed(readFileSync(path, "utf8"), url);
  console.log(`\n=== ${page} (${milliseconds.toFixed(1)} ms, profile ${result.profile})`);
  if (!result.ok) {
    console.log(`  not ok: ${result.reason}`);
    continue;
  }
  const { paragraphs, ...fields } = result.article;
  console.log(JSON.stringify(fields, null, 2));
  paragraphs.forEach((paragraph, index) => console.log(`  [${index}] ${paragraph}`));
  if (goldPath && existsSync(join(corpus, goldPath))) {
    const gold = readFileSync(join(corpus, goldPath), "utf8");
    console.log(`  word F1 vs newspaper4k reference: ${wordF1(paragraphs.join("\n"), gold).toFixed(3)}`);
  }
}

const wcxbIndex = process.argv.indexOf("--wcxb");
if (wcxbIndex > 0 && existsSync(corpus)) {
  const limit = Number(process.argv[wcxbIndex + 1] ?? 50);
  const wcxb = join(corpus, "wcxb-dev");
  const { files } = JSON.parse(readFileSync(join(wcxb, "metadata.json"), "utf8"));
  const articleIds = Object.keys(files)
    .filter((id) => files[id].page_type === "article" && existsSync(join(wcxb, "html", `${id}.html.gz`)))
    .sort()
    .slice(0, limit);
  let totalF1 = 0;
  let totalMilliseconds = 0;
  const failures = [];
  for (const id of articleIds) {
    const html = gunzipSync(readFileSync(join(wcxb, "html", `${id}.html.gz`))).toString("utf8");
    const truth = JSON.parse(readFileSync(join(wcxb, "ground-truth", `${id}.json`), "utf8"));
    const { result, milliseconds } = timed(html, truth.url);
    totalMilliseconds += milliseconds;
    const extracted = result.ok ? [result.article.title, ...result.article.paragraphs].join("\n") : "";
    const f1 = wordF1(extracted, truth.ground_truth.main_content ?? "");
    totalF1 += f1;
    if (!result.ok || f1 < 0.5) failures.push(`${id} ${truth.url} F1 ${f1.toFixed(2)} ${result.ok ? "" : result.reason}`);
    if (process.argv.includes("--verbose")) console.log(`${id} F1 ${f1.toFixed(3)} ${milliseconds.toFixed(1)} ms`);
  }
  console.log(`\nWCXB article pages: ${articleIds.length}, mean word F1 ${(totalF1 / articleIds.length).toFixed(3)}, mean ${(totalMilliseconds / articleIds.length).toFixed(1)} ms/page`);
  console.log(`below 0.5 or not ok (${failures.length}):\n  ${failures.join("\n  ")}`);
}

/** UTF-8 when the bytes are valid UTF-8, else the charset the served header or a meta tag declares. */
function decodePage(bytes, contentType = "") {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const head = new TextDecoder("latin1").decode(bytes.subarray(0, 2048));
    const declared = /charset=["']?([\w-]+)/i.exec(contentType) ?? /charset=["']?([\w-]+)/i.exec(head);
    return new TextDecoder(declared?.[1] ?? "windows-1252").decode(bytes);
  }
}

if (process.argv.includes("--fixtures")) {
  const fixtures = join(process.cwd(), "fixtures");
  const timeline = JSON.parse(readFileSync(join(fixtures, "timeline.json"), "utf8"));
  const { isDeepStrictEqual } = await import("node:util");
  let passed = 0;
  let failed = 0;
  for (const article of [...timeline.articles, ...timeline.redirectTargets, ...timeline.testPages]) {
    for (const version of article.versions) {
      if (!version.file) continue;
      const html = decodePage(readFileSync(join(fixtures, version.file)), version.headers?.["Content-Type"]);
      const result = extractArticle(html, article.url);
      const expected = version.expected ? JSON.parse(readFileSync(join(fixtures, version.expected), "utf8")) : null;
      const ok = expected ? result.ok && isDeepStrictEqual(result.article, expected) : !result.ok;
      if (ok) passed++;
      else failed++;
      console.log(`${ok ? "ok  " : "FAIL"} ${version.file} (${result.profile}${result.ok ? "" : `: ${result.reason}`})`);
    }
  }
  console.log(`fixtures: ${passed} as expected, ${failed} not`);
}
