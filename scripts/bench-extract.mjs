#!/usr/bin/env node
/**
 * `npm run bench:extract`: accuracy and speed of Redline's extractor beside Readability (on
 * linkedom) and Defuddle, over the same real pages in one run, printed as one table.
 *
 *   npm run bench:extract                          # ../shared/corpus/wcxb-dev and ../shared/corpus/aeb
 *   npm run bench:extract -- --wcxb <dir> --aeb <dir>
 *   npm run bench:extract -- --only redline        # skip the peers while iterating
 *   npm run bench:extract -- --limit 200           # the first 200 pages of each set
 *
 * Each extractor runs in a child process of its own, so its peak memory (max RSS) is its own and
 * no extractor warms the JIT for another. Times are wall-clock around the extractor call (HTML
 * string in, all fields out; reading and gunzipping the file is outside), after a warm-up pass
 * over the first pages. A page one extractor spends over 30 s on is killed and counted as no
 * result for it (see runExtractor). Per-page results go to bench-results/extract-<time>.json.
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EXTRACTORS } from "./lib/extractors.mjs";
import { aebShingleCounts, aebSummary, quantile, wcxbSummary, wcxbWordScores } from "./lib/metrics.mjs";
import { loadRedlineExtractor, readPageBytes } from "./lib/redline-extractor.mjs";

const WARM_UP_PAGES = 20;
/** Far beyond any extractor's slowest real page (Readability's p95 is well under a second). */
const PAGE_TIMEOUT_MS = 30_000;
const scriptPath = fileURLToPath(import.meta.url);
const repositoryRoot = resolve(scriptPath, "..", "..");
const defaultCorpus = process.env.REDLINE_CORPUS ?? join(repositoryRoot, "..", "shared", "corpus");

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
}


/**
 * Child: one extractor over the job file's pages from `startIndex`, skipping `skipped` (pages
 * that hung before). Before each page (warm-up included) it writes the page's index to
 * `<output>.current`, and after it appends one JSON line to the output, so the parent can tell
 * which page hung.
 */
async function runChild(name, jobPath, outputPath, startIndex, skipped) {
  const pages = JSON.parse(readFileSync(jobPath, "utf8"));
  const [extractor, { decodeBody }] = await Promise.all([EXTRACTORS[name](), loadRedlineExtractor()]);
  const html = (page) => decodeBody(readPageBytes(page.path), null).text;
  const startPage = (index) => writeFileSync(`${outputPath}.current`, String(index));
  for (const [index, page] of pages.slice(0, WARM_UP_PAGES).entries()) {
    if (skipped.has(index)) continue;
    startPage(index);
    try {
      await extractor.run(html(page), page.url);
    } catch {}
  }
  for (const [index, page] of pages.entries()) {
    if (index < startIndex || skipped.has(index)) continue;
    const input = html(page);
    let raw;
    let error = null;
    startPage(index);
    const started = performance.now();
    try {
      raw = await extractor.run(input, page.url);
    } catch (thrown) {
      error = thrown instanceof Error ? thrown.message : String(thrown);
    }
    const milliseconds = performance.now() - started;
    const fields = error ? { text: "", title: null, byline: null, publishedAt: null, failure: `threw: ${error}` } : extractor.fields(raw);
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    appendFileSync(outputPath, `${JSON.stringify({ index, dataset: page.dataset, id: page.id, milliseconds, ...fields, peakRssMb })}\n`);
    if ((index + 1) % 250 === 0) process.stderr.write(`  ${name}: ${index + 1}/${pages.length}\n`);
  }
}

/**
 * Runs one extractor over every page in child processes. A page that takes longer than
 * PAGE_TIMEOUT_MS (one Defuddle release spins forever on a WCXB page) is killed, recorded as a
 * timeout, and the run resumes in a fresh child without it, so one page cannot stall the table.
 */
async function runExtractor(name, jobPath, pageCount, work) {
  const outputPath = join(work, `${name}.jsonl`);
  writeFileSync(outputPath, "");
  const readResults = () => readFileSync(outputPath, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
  const timedOut = new Set();
  for (;;) {
    const results = readResults();
    const startIndex = results.length === 0 ? 0 : results.at(-1).index + 1;
    const child = spawn(
      process.execPath,
      ["--max-old-space-size=4096", scriptPath, "--child", name, jobPath, outputPath, String(startIndex), [...timedOut].join(",")],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    const exited = new Promise((resolve) => child.on("exit", resolve));
    let current = null;
    let currentSince = Date.now();
    let hungPage = null;
    for (;;) {
      const finished = await Promise.race([exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 500))]);
      if (finished) break;
      const now = existsSync(`${outputPath}.current`) ? readFileSync(`${outputPath}.current`, "utf8") : null;
      if (now !== current) {
        current = now;
        currentSince = Date.now();
      } else if (current !== null && Date.now() - currentSince > PAGE_TIMEOUT_MS) {
        hungPage = Number(current);
        child.kill("SIGKILL");
        await exited;
        break;
      }
    }
    rmSync(`${outputPath}.current`, { force: true });
    if (hungPage === null) break;
    timedOut.add(hungPage);
  }
  const results = readResults();
  if (results.length + timedOut.size < pageCount) throw new Error(`${name} stopped after ${results.length} of ${pageCount} pages`);
  return { results, timeouts: [...timedOut].sort((left, right) => left - right) };
}

function wcxbPages(directory) {
  const { files } = JSON.parse(readFileSync(join(directory, "metadata.json"), "utf8"));
  return readdirSync(join(directory, "ground-truth"))
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => {
      const id = name.replace(/\.json$/, "");
      const data = JSON.parse(readFileSync(join(directory, "ground-truth", name), "utf8"));
      const truth = data.ground_truth ?? {};
      // evaluate.py's get_page_type: the ground truth's own label, "category" counted as "collection".
      const labelled = data._internal?.page_type?.primary ?? files?.[id]?.page_type ?? "article";
      return {
        dataset: "wcxb",
        id,
        url: data.url ?? "",
        path: join(directory, "html", `${id}.html.gz`),
        pageType: labelled === "category" ? "collection" : labelled,
        gold: { text: truth.main_content ?? "", title: truth.title ?? null, author: truth.author ?? null, date: truth.publish_date ?? null },
      };
    })
    .filter((page) => existsSync(page.path));
}

function aebPages(directory) {
  const truth = JSON.parse(readFileSync(join(directory, "ground-truth.json"), "utf8"));
  return Object.entries(truth)
    .map(([id, { articleBody, url }]) => ({
      dataset: "aeb",
      id,
      url: url ?? "",
      path: join(directory, "html", `${id}.html.gz`),
      gold: { text: articleBody ?? "" },
    }))
    .filter((page) => existsSync(page.path));
}

const comparable = (text) => (text ?? "").toLowerCase().replace(/^\s*by\s+/, "").replace(/[^\p{L}\p{N}]+/gu, " ").trim();

/** A metadata field matches when it says the same words as the gold value (case and punctuation aside). */
function fieldMatches(field, extracted, gold) {
  if (field === "date") return typeof extracted === "string" && extracted.slice(0, 10) === gold.slice(0, 10);
  return comparable(extracted) === comparable(gold) && comparable(gold) !== "";
}

async function runBenchmark() {
  const wcxbDirectory = option("wcxb", join(defaultCorpus, "wcxb-dev"));
  const aebDirectory = option("aeb", join(defaultCorpus, "aeb"));
  const limit = Number(option("limit", Infinity));
  const names = (option("only", Object.keys(EXTRACTORS).join(","))).split(",");
  for (const name of names) if (!EXTRACTORS[name]) throw new Error(`unknown extractor ${name}; known: ${Object.keys(EXTRACTORS).join(", ")}`);

  const pages = [
    ...(existsSync(join(wcxbDirectory, "metadata.json")) ? wcxbPages(wcxbDirectory).slice(0, limit) : []),
    ...(existsSync(join(aebDirectory, "ground-truth.json")) ? aebPages(aebDirectory).slice(0, limit) : []),
  ];
  if (pages.length === 0) {
    console.log(`no pages found (WCXB layout at ${wcxbDirectory}, AEB layout at ${aebDirectory}); nothing to measure`);
    return;
  }
  const work = join(tmpdir(), `redline-bench-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const jobPath = join(work, "pages.json");
  writeFileSync(jobPath, JSON.stringify(pages.map(({ dataset, id, url, path }) => ({ dataset, id, url, path }))));

  const runs = {};
  for (const name of names) {
    process.stderr.write(`running ${name} over ${pages.length} pages…\n`);
    const { results, timeouts } = await runExtractor(name, jobPath, pages.length, work);
    for (const index of timeouts) {
      const { dataset, id } = pages[index];
      results.push({ dataset, id, milliseconds: PAGE_TIMEOUT_MS, text: "", title: null, byline: null, publishedAt: null, failure: `timed out after ${PAGE_TIMEOUT_MS} ms` });
      process.stderr.write(`  ${name}: ${dataset}/${id} timed out after ${PAGE_TIMEOUT_MS} ms; counted as no result\n`);
    }
    runs[name] = { results, peakRssMb: Math.max(0, ...results.map((result) => result.peakRssMb ?? 0)) };
  }

  rmSync(work, { recursive: true, force: true });

  const byKey = new Map(pages.map((page) => [`${page.dataset}/${page.id}`, page]));
  const rows = [];
  const perPage = {};
  for (const name of names) {
    const { results, peakRssMb } = runs[name];
    const scored = results.map((result) => {
      const page = byKey.get(`${result.dataset}/${result.id}`);
      const scores =
        page.dataset === "wcxb" ? wcxbWordScores(result.text, page.gold.text) : aebShingleCounts(page.gold.text, result.text);
      const fields = {};
      if (page.dataset === "wcxb") {
        for (const [field, extracted] of [["title", result.title], ["author", result.byline], ["date", result.publishedAt]]) {
          if (page.gold[field]) fields[field] = fieldMatches(field, extracted, page.gold[field]);
        }
      }
      return { ...result, pageType: page.pageType, url: page.url, scores, fields };
    });
    perPage[name] = scored;
    const wcxb = scored.filter((page) => page.dataset === "wcxb");
    const articles = wcxbSummary(wcxb.filter((page) => page.pageType === "article").map((page) => page.scores));
    const allTypes = wcxbSummary(wcxb.map((page) => page.scores));
    const aeb = aebSummary(scored.filter((page) => page.dataset === "aeb").map((page) => page.scores));
    const rate = (field) => {
      const judged = wcxb.filter((page) => field in page.fields);
      return judged.filter((page) => page.fields[field]).length / (judged.length || 1);
    };
    const times = scored.map((page) => page.milliseconds).sort((a, b) => a - b);
    const articleTimes = wcxb.filter((page) => page.pageType === "article").map((page) => page.milliseconds).sort((a, b) => a - b);
    rows.push({
      name,
      articles,
      allTypes,
      aeb,
      title: rate("title"),
      date: rate("date"),
      author: rate("author"),
      median: quantile(times, 0.5),
      p95: quantile(times, 0.95),
      articleMedian: quantile(articleTimes, 0.5),
      peakRssMb,
      failures: scored.filter((page) => page.failure).length,
    });
  }

  const baseline = rows.find((row) => row.name === "readability+linkedom");
  const f = (value) => (Number.isFinite(value) ? value.toFixed(3) : "—");
  const ms = (value) => (Number.isFinite(value) ? value.toFixed(2) : "—");
  const counts = (() => {
    const wcxb = pages.filter((page) => page.dataset === "wcxb");
    return `WCXB ${wcxb.filter((page) => page.pageType === "article").length} article / ${wcxb.length} pages, AEB ${pages.filter((page) => page.dataset === "aeb").length} pages`;
  })();
  const header = [
    "extractor",
    "WCXB article F1 (P / R)",
    "WCXB all F1",
    "AEB F1 (P / R)",
    "title",
    "date",
    "author",
    "ms median",
    "ms p95",
    "article ms median",
    "speed vs Readability",
    "peak RSS MB",
    "no result",
  ];
  const lines = rows.map((row) => [
    row.name,
    `${f(row.articles.f1)} (${f(row.articles.precision)} / ${f(row.articles.recall)})`,
    f(row.allTypes.f1),
    `${f(row.aeb.f1)} (${f(row.aeb.precision)} / ${f(row.aeb.recall)})`,
    `${(row.title * 100).toFixed(1)}%`,
    `${(row.date * 100).toFixed(1)}%`,
    `${(row.author * 100).toFixed(1)}%`,
    ms(row.median),
    ms(row.p95),
    ms(row.articleMedian),
    baseline ? `${(baseline.median / row.median).toFixed(1)}x` : "—",
    row.peakRssMb.toFixed(0),
    String(row.failures),
  ]);
  console.log(`\nExtraction benchmark (${counts}; Node ${process.version})\n`);
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const line of lines) console.log(`| ${line.join(" | ")} |`);
  console.log(
    "\nWCXB: word F1 over \\w+ tokens, mean over pages (WCXB evaluate.py). AEB: 4-token shingles, per-page normalised, " +
      "precision and recall averaged over pages (AEB evaluate.py). title/date/author: share of WCXB pages with that gold " +
      "field whose extracted value matches it. ms: per page, HTML string to all fields, all pages of both sets.",
  );

  const resultsDirectory = join(repositoryRoot, "bench-results");
  mkdirSync(resultsDirectory, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const report = JSON.stringify({ createdAt: new Date().toISOString(), summary: rows, pages: perPage }, null, 1);
  writeFileSync(join(resultsDirectory, `extract-${stamp}.json`), report);
  writeFileSync(join(resultsDirectory, "extract-latest.json"), report);
  console.log(`\nper-page results: bench-results/extract-${stamp}.json (and extract-latest.json)`);
}

if (process.argv[2] === "--child") {
  const skipped = new Set((process.argv[7] ?? "").split(",").filter(Boolean).map(Number));
  await runChild(process.argv[3], process.argv[4], process.argv[5], Number(process.argv[6]), skipped);
} else await runBenchmark();
