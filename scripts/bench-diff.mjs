#!/usr/bin/env node
/**
 * `npm run bench:diff`: time to diff two versions of an article with Redline's full diff model
 * (paragraph alignment, sentence alignment, word diffs, flags, significance, summary) beside a
 * plain jsdiff `diffWords` over the whole text, on the same generated pairs, printed as a table.
 *
 *   npm run bench:diff
 *   npm run bench:diff -- --runs 51      # more runs per case
 *
 * Runs in Node on the Worker's own code bundled by esbuild (workerd's clock does not advance
 * during pure CPU work, so timing inside it says nothing). Articles are generated from the seed
 * articles' vocabulary when ../shared/seeds is there, from a fixed word list otherwise; the
 * generator is seeded, so every run diffs the same pairs.
 */
import { diffWords } from "diff";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { importWorkerModules } from "./lib/bundle.mjs";
import { quantile } from "./lib/metrics.mjs";
import { random } from "./lib/random.mjs";

const repositoryRoot = resolve(fileURLToPath(import.meta.url), "..", "..");
const seedsDir = process.env.REDLINE_SEEDS ?? join(repositoryRoot, "..", "shared", "seeds");
const runsOption = process.argv.indexOf("--runs");
const RUNS = runsOption > 0 ? Number(process.argv[runsOption + 1]) : 21;
/** Past this, a single jsdiff run is abandoned (its `timeout` option) and reported as such. */
const JSDIFF_TIMEOUT_MS = 5_000;

function vocabulary() {
  if (existsSync(seedsDir)) {
    const words = readdirSync(seedsDir)
      .filter((name) => name.endsWith(".txt"))
      .flatMap((name) => readFileSync(join(seedsDir, name), "utf8").match(/[A-Za-z][a-z]{2,}/g) ?? []);
    if (words.length > 500) return [...new Set(words.map((word) => word.toLowerCase()))];
  }
  const syllables = ["ka", "ro", "mi", "tan", "sel", "o", "ven", "du", "ra", "pol", "en", "ti", "gar", "su", "le"];
  const next = random(7);
  return Array.from({ length: 2000 }, () => Array.from({ length: 2 + Math.floor(next() * 3) }, () => syllables[Math.floor(next() * syllables.length)]).join(""));
}

const WORDS = vocabulary();

function sentence(next) {
  const length = 12 + Math.floor(next() * 14);
  const words = Array.from({ length }, () => WORDS[Math.floor(next() * WORDS.length)]);
  if (next() < 0.3) words.splice(Math.floor(next() * length), 0, `$${(next() * 10).toFixed(1)} billion`);
  const text = words.join(" ");
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** Paragraphs of 2–5 sentences, about `words` words in all. */
function article(words, seed, { oneParagraph = false } = {}) {
  const next = random(seed);
  const paragraphs = [];
  let count = 0;
  while (count < words) {
    const sentences = Array.from({ length: 2 + Math.floor(next() * 4) }, () => sentence(next));
    count += sentences.join(" ").split(" ").length;
    paragraphs.push(sentences);
  }
  return oneParagraph ? [paragraphs.flat()] : paragraphs;
}

/** Edits `share` of the sentences: a word swapped, a word inserted, or a figure changed. */
function edited(paragraphs, share, seed) {
  const next = random(seed);
  return paragraphs.map((sentences) =>
    sentences.map((text) => {
      if (next() >= share) return text;
      const words = text.split(" ");
      const position = 1 + Math.floor(next() * (words.length - 2));
      const choice = next();
      if (choice < 0.4) words[position] = WORDS[Math.floor(next() * WORDS.length)];
      else if (choice < 0.8) words.splice(position, 0, WORDS[Math.floor(next() * WORDS.length)]);
      else words.splice(position, 0, `${Math.floor(next() * 100)}%`);
      return words.join(" ");
    }),
  );
}

const content = (paragraphs) => ({
  title: "Defense cost-sharing talks",
  byline: "Staff",
  publishedAt: "2019-12-18T20:39:00+09:00",
  modifiedAt: "2019-12-18T20:39:00+09:00",
  paragraphs: paragraphs.map((sentences) => sentences.join(" ")),
});

function cases() {
  const base10k = article(10_000, 1);
  const base100k = article(100_000, 2);
  const base60k = article(60_000, 4);
  const huge = article(10_000, 3, { oneParagraph: true });
  const shuffled = [...base10k].sort((left, right) => left[0].localeCompare(right[0]));
  return [
    { name: "10k words, 20% of sentences edited (target)", before: base10k, after: edited(base10k, 0.2, 11), target: 20 },
    { name: "10k words, 1% of sentences edited", before: base10k, after: edited(base10k, 0.01, 12) },
    { name: "10k words, entirely rewritten", before: base10k, after: article(10_000, 99) },
    { name: "10k words, paragraphs reordered", before: base10k, after: shuffled },
    { name: "10k words in one paragraph, 20% edited", before: huge, after: edited(huge, 0.2, 13) },
    { name: "60k words, every sentence edited (past the cost guards)", before: base60k, after: edited(base60k, 1, 15) },
    { name: "100k words, 20% of sentences edited", before: base100k, after: edited(base100k, 0.2, 14) },
    { name: "100k words, entirely rewritten", before: base100k, after: article(100_000, 98) },
  ].map((entry) => ({ ...entry, before: content(entry.before), after: content(entry.after) }));
}

/** Times `runs` calls; stops early when a call gives up (returns undefined), as jsdiff does at its timeout. */
function time(run, runs) {
  const samples = [];
  let result;
  for (let index = 0; index < runs; index++) {
    const started = performance.now();
    result = run();
    samples.push(performance.now() - started);
    if (result === undefined) break;
  }
  samples.sort((left, right) => left - right);
  return { median: quantile(samples, 0.5), p95: quantile(samples, 0.95), max: samples.at(-1), result };
}

const { diffVersions } = await importWorkerModules("diffing", ['export { diffVersions } from "./src/diffing/index.ts";']);
const rows = [];
for (const entry of cases()) {
  const words = entry.before.paragraphs.join(" ").split(" ").length;
  const runs = words > 50_000 ? Math.max(3, Math.floor(RUNS / 4)) : RUNS;
  // Warm the JIT on this shape before timing it, as a Worker isolate serving checks all day is.
  for (let warmUp = 0; warmUp < Math.min(runs, 5); warmUp++) diffVersions(entry.before, entry.after);
  const redline = time(() => diffVersions(entry.before, entry.after), runs);
  const wholeBefore = entry.before.paragraphs.join("\n\n");
  const wholeAfter = entry.after.paragraphs.join("\n\n");
  const jsdiff = time(() => diffWords(wholeBefore, wholeAfter, { timeout: JSDIFF_TIMEOUT_MS }), Math.min(runs, 5));
  const { stats, significance } = redline.result;
  rows.push({
    case: entry.name,
    words,
    "redline median ms": redline.median.toFixed(2),
    "redline p95 ms": redline.p95.toFixed(2),
    "jsdiff diffWords median ms": jsdiff.result === undefined ? `>${JSDIFF_TIMEOUT_MS} (gave up)` : jsdiff.median.toFixed(2),
    "sentences +/−/edited/moved": `${stats.sentencesAdded}/${stats.sentencesRemoved}/${stats.sentencesEdited}/${stats.sentencesMoved}`,
    significance,
    target: entry.target === undefined ? "" : redline.median < entry.target ? `< ${entry.target} ms: met` : `< ${entry.target} ms: MISSED`,
  });
}
console.log(`Node ${process.version}; ${RUNS} runs per case (fewer for 100k words); times are wall-clock per diff.`);
console.table(rows);
