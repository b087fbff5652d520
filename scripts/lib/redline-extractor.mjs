/**
 * Redline's extractor as Node runs it: src/extraction bundled with esbuild (the bundler wrangler
 * ships the Worker with), plus the fetcher's charset decoding, so scripts read pages exactly as
 * the Worker does. Shared by the extraction benchmark and the `npm run extract` CLI.
 */
import { build } from "esbuild";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";

const repositoryRoot = fileURLToPath(new URL("../..", import.meta.url));

/** @returns {Promise<{ extractArticle: (html: string, url: string) => any, decodeBody: (bytes: Uint8Array, contentType: string | null) => { text: string, charset: string } }>} */
export async function loadRedlineExtractor() {
  const outfile = join(mkdtempSync(join(tmpdir(), "redline-extraction-")), "extraction.mjs");
  await build({
    stdin: {
      contents: [
        'export { extractArticle } from "./src/extraction/index.ts";',
        'export { decodeBody } from "./src/fetching/charset.ts";',
      ].join("\n"),
      resolveDir: repositoryRoot,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    outfile,
    logLevel: "error",
  });
  return import(pathToFileURL(outfile).href);
}

/** The bytes of a saved page, gunzipped when the file name ends in `.gz`. */
export function readPageBytes(path) {
  const bytes = readFileSync(path);
  return path.endsWith(".gz") ? gunzipSync(bytes) : bytes;
}
