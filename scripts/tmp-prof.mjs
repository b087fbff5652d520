import { readdirSync } from "node:fs";
import { loadRedlineExtractor, readPageBytes } from "./lib/redline-extractor.mjs";
const { extractArticle, decodeBody } = await loadRedlineExtractor();
const dir = "../shared/corpus/wcxb-dev/html";
const files = readdirSync(dir).slice(0, 500);
const pages = files.map((f) => decodeBody(readPageBytes(`${dir}/${f}`), null).text);
for (let pass = 0; pass < 4; pass++) {
  const times = [];
  for (const html of pages) { const t = performance.now(); extractArticle(html, "https://example.com/a"); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  console.log("pass", pass, "median", times[times.length >> 1].toFixed(2));
}
