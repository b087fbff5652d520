/**
 * Redline's extractor as Node runs it (see bundle.mjs), plus the fetcher's charset decoding, so
 * scripts read pages exactly as the Worker does. Shared by the extraction benchmark and the `npm run extract` CLI.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { importWorkerModules } from "./bundle.mjs";

/** @returns {Promise<{ extractArticle: (html: string, url: string) => any, decodeBody: (bytes: Uint8Array, contentType: string | null) => { text: string, charset: string } }>} */
export function loadRedlineExtractor() {
  return importWorkerModules("extraction", [
    'export { extractArticle } from "./src/extraction/index.ts";',
    'export { decodeBody } from "./src/fetching/charset.ts";',
  ]);
}

/** The bytes of a saved page, gunzipped when the file name ends in `.gz`. */
export function readPageBytes(path) {
  const bytes = readFileSync(path);
  return path.endsWith(".gz") ? gunzipSync(bytes) : bytes;
}
