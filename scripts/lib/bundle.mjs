/**
 * Worker source as Node runs it: TypeScript modules bundled with esbuild (the bundler wrangler
 * ships the Worker with) into one ES module, so scripts call exactly the code the Worker runs.
 */
import { build } from "esbuild";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repositoryRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * @param {string} name  a label for the temporary file
 * @param {string[]} exportLines  e.g. `export { diffVersions } from "./src/diffing/index.ts";`
 * @param {{ root?: string, mainFields?: string[] }} [options]  `root`: the checkout whose `./src`
 *   the lines name (default: this one); `mainFields`: esbuild's, for packages without `exports`
 */
export async function importWorkerModules(name, exportLines, { root = repositoryRoot, mainFields } = {}) {
  const outfile = join(mkdtempSync(join(tmpdir(), `redline-${name}-`)), `${name}.mjs`);
  await build({
    stdin: { contents: exportLines.join("\n"), resolveDir: root, loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    ...(mainFields ? { mainFields } : {}),
    outfile,
    logLevel: "error",
  });
  return import(pathToFileURL(outfile).href);
}
