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

const { readSectionPage, linkProfileFor, decodeBody } = await importWorkerModules("measure-links", [
  'export { readSectionPage, linkProfileFor } from "./src/discovery/links/index.ts";',
  'export { decodeBody } from "./src/fetching/charset.ts";',
]);

if (!existsSync(corpus)) {
  console.error(`no corpus at ${corpus} (set REDLINE_CORPUS)`);
  process.exit(1);
}

const rows = [];
for (const file of readdirSync(labelsDir).filter((name) => name.endsWith(".json")).sort()) {
  const label = JSON.parse(readFileSync(join(labelsDir, file), "utf8"));
  const bytes = readFileSync(join(corpus, label.page));
  const html = decodeBody(label.page.endsWith(".gz") ? gunzipSync(bytes) : bytes, null).text;
  const truth = new Set(label.articles);
  const profile = linkProfileFor(new URL(label.pageUrl).hostname);
  for (const [rule, used] of [["generic", null], ...(profile ? [[profile.name, profile]] : [])]) {
    const found = readSectionPage(html, label.pageUrl, used).map((entry) => entry.url);
    const truePositives = found.filter((url) => truth.has(url)).length;
    rows.push({ page: file.replace(/\.json$/, ""), rule, labelled: truth.size, found: found.length, truePositives });
  }
}

const ratio = (part, whole) => (whole === 0 ? "—" : (part / whole).toFixed(3));
const table = [["page", "rule", "labelled", "found", "true pos.", "precision", "recall"]];
for (const row of rows) {
  table.push([row.page, row.rule, row.labelled, row.found, row.truePositives, ratio(row.truePositives, row.found), ratio(row.truePositives, row.labelled)]);
}
for (const rule of ["generic", "profile"]) {
  const chosen = rows.filter((row) => (rule === "generic" ? row.rule === "generic" : row.rule !== "generic"));
  if (chosen.length === 0) continue;
  const sum = (key) => chosen.reduce((total, row) => total + row[key], 0);
  table.push([`total (${chosen.length} pages)`, rule, sum("labelled"), sum("found"), sum("truePositives"), ratio(sum("truePositives"), sum("found")), ratio(sum("truePositives"), sum("labelled"))]);
}
const widths = table[0].map((_, column) => Math.max(...table.map((line) => String(line[column]).length)));
for (const line of table) console.log(line.map((cell, column) => String(cell).padEnd(widths[column])).join("  "));
