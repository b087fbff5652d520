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
 * over the first pages. Per-page results go to bench-results/extract-<time>.json.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EXTRACTORS } from "./lib/extractors.mjs";
import { aebShingleCounts, aebSummary, wcxbSummary, wcxbWordScores } from "./lib/metrics.mjs";
import { loadRedlineExtractor, readPageBytes } from "./lib/redline-extractor.mjs";

const WARM_UP_PAGES = 20;
const scriptPath = fileURLToPath(import.meta.url);
const repositoryRoot = resolve(scriptPath, "..", "..");
const defaultCorpus = process.env.REDLINE_CORPUS ?? join(repositoryRoot, "..", "shared", "corpus");

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
}


/** Child: one extractor over every page of the job file; results to the output file. */
async function runChild(name, jobPath, outputPath) {
  const pages = JSON.parse(readFileSync(jobPath, "utf8"));
  const [extractor, { decodeBody }] = await Promise.all([EXTRACTORS[name](), loadRedlineExtractor()]);
  const html = (page) => decodeBody(readPageBytes(page.path), null).text;
  for (const page of pages.slice(0, WARM_UP_PAGES)) {
    try {
      await extractor.run(html(page), page.url);
    } catch {}
  }
  const startRss = process.memoryUsage().rss;
  const results = [];
  for (const page of pages) {
    const input = html(page);
    let raw;
    let error = null;
    const started = performance.now();
    try {
      raw = await extractor.run(input, page.url);
    } catch (thrown) {
      error = thrown instanceof Error ? thrown.message : String(thrown);
    }
    const milliseconds = performance.now() - started;
    const fields = error ? { text: "", title: null, byline: null, publishedAt: null, failure: `threw: ${error}` } : extractor.fields(raw);
    results.push({ dataset: page.dataset, id: page.id, milliseconds, ...fields });
    if (results.length % 250 === 0) process.stderr.write(`  ${name}: ${results.length}/${pages.length}\n`);
  }
  writeFileSync(
    outputPath,
    JSON.stringify({
      results,
      startRssMb: startRss / 2 ** 20,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
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

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
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
    const outputPath = join(work, `${name}.json`);
    process.stderr.write(`running ${name} over ${pages.length} pages…\n`);
    execFileSync(process.execPath, ["--max-old-space-size=4096", scriptPath, "--child", name, jobPath, outputPath], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    runs[name] = JSON.parse(readFileSync(outputPath, "utf8"));
  }

  rmSync(work, { recursive: true, force: true });

  const byKey = new Map(pages.map((page) => [`${page.dataset}/${page.id}`, page]));
  const rows = [];
  const perPage = {};
  for (const name of names) {
    const { results, peakRssMb, startRssMb } = runs[name];
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
      startRssMb,
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

if (process.argv[2] === "--child") await runChild(process.argv[3], process.argv[4], process.argv[5]);
else await runBenchmark();
