#!/usr/bin/env node
/**
 * `npm run extract -- <file.html|file.html.gz|url> [more...]`: what Redline extracts from each
 * page, one JSON object per line (input, profile, title, byline, publishedAt, modifiedAt,
 * paragraphs; or input, profile, error), all in one process. For whoever adds or debugs a site
 * profile (README in src/extraction) and for outside evaluation scripts.
 *
 * Files are decoded as the fetcher decodes responses (BOM, then `<meta charset>`, else UTF-8);
 * URLs are fetched and decoded with their Content-Type header. The site profile is chosen by URL:
 * give a file's original address with `--url <address>` right after it.
 */
import { loadRedlineExtractor, readPageBytes } from "./lib/redline-extractor.mjs";

const { extractArticle, decodeBody } = await loadRedlineExtractor();

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error("usage: npm run extract -- <file.html|file.html.gz|url> [--url <original address>] [more...]");
  process.exit(2);
}

async function readInput(input) {
  if (/^https?:\/\//i.test(input)) {
    const response = await fetch(input, { redirect: "follow" });
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { html: decodeBody(bytes, response.headers.get("content-type")).text, url: response.url || input };
  }
  return { html: decodeBody(readPageBytes(input), null).text, url: `file://${input}` };
}

let failures = 0;
for (let index = 0; index < args.length; index++) {
  const input = args[index];
  const originalUrl = args[index + 1] === "--url" ? args[index + 2] : null;
  if (originalUrl) index += 2;
  try {
    const { html, url } = await readInput(input);
    const result = extractArticle(html, originalUrl ?? url);
    if (result.ok) {
      const { title, byline, publishedAt, modifiedAt, paragraphs } = result.article;
      console.log(JSON.stringify({ input, profile: result.profile, title, byline, publishedAt, modifiedAt, paragraphs }));
    } else {
      failures++;
      console.log(JSON.stringify({ input, profile: result.profile, error: result.reason }));
    }
  } catch (error) {
    failures++;
    console.log(JSON.stringify({ input, error: error instanceof Error ? error.message : String(error) }));
  }
}
process.exitCode = failures > 0 ? 1 : 0;
