/**
 * npm run measure:links: precision and recall of the article links Redline reads from section
 * and home pages, against the hand labels in fixtures/link-labels/ (pages from ../shared/corpus,
 * or REDLINE_CORPUS). One row per page for the generic rule, and for the link profile where the
 * page's host has one; then the totals over all labelled links.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { importWorkerModules } from "./lib/bundle.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const corpus = process.env.REDLINE_CORPUS ?? join(root, "..", "shared", "corpus");
const labelsDir = join(root, "fixtures", "link-labels");

if (!existsSync(corpus)) {
  console.error(`no corpus at ${corpus} (set REDLINE_CORPUS)`);
  process.exit(1);
}

const { scoreLinks, totalScore, precision, recall, decodeBody } = await importWorkerModules("measure-links", [
  'export { scoreLinks, totalScore, precision, recall } from "./src/discovery/links/labels.ts";',
  'export { decodeBody } from "./src/fetching/charset.ts";',
]);

const rows = [];
for (const file of readdirSync(labelsDir).filter((name) => name.endsWith(".json")).sort()) {
  const labels = JSON.parse(readFileSync(join(labelsDir, file), "utf8"));
  const bytes = readFileSync(join(corpus, labels.page));
  const html = decodeBody(labels.page.endsWith(".gz") ? gunzipSync(bytes) : bytes, null).text;
  for (const score of scoreLinks(labels, html)) rows.push({ page: file.replace(/\.json$/, ""), ...score });
}

const generic = rows.filter((row) => row.rule === "generic");
const profiled = rows.filter((row) => row.rule !== "generic");
const totals = [
  { page: `total (${generic.length} pages)`, ...totalScore("generic", generic) },
  ...(profiled.length > 0 ? [{ page: `total (${profiled.length} pages)`, ...totalScore("profiles", profiled) }] : []),
];
const table = [["page", "rule", "labelled", "found", "true pos.", "precision", "recall"]];
for (const row of [...rows, ...totals]) {
  table.push([row.page, row.rule, row.labelled, row.found, row.truePositives, precision(row).toFixed(3), recall(row).toFixed(3)]);
}
const widths = table[0].map((_, column) => Math.max(...table.map((line) => String(line[column]).length)));
for (const line of table) console.log(line.map((cell, column) => String(cell).padEnd(widths[column])).join("  ").trimEnd());
