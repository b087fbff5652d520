/**
 * `npm run bench:image`: what drawing a redline PNG costs inside workerd. The seed edits' diffs
 * (test/image-fixtures.ts) are rendered by src/image (SVG layout, then resvg's WebAssembly) in
 * Miniflare, driven from Node; workerd's own clock does not move during a request, so time is
 * measured from outside: the request's wall time and the workerd process's CPU time
 * (/proc/<pid>/stat), per PNG, the first render of an isolate (resvg instantiated, font read)
 * apart. `--out <file.png>` also writes the Yonhap edit's PNG (docs/images/redline-seed.png),
 * `--out-dir <folder>` every edit's.
 */
import { Log, LogLevel, Miniflare } from "miniflare";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { processCpuMs, workerdPid } from "./lib/scale-worker.mjs";
import { bundleForWorkerd, WORKER_MODULE_RULES } from "./lib/worker-modules.mjs";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "10" }, out: { type: "string" }, "out-dir": { type: "string" } } });
const rounds = Number(values.rounds);
const root = fileURLToPath(new URL("..", import.meta.url));

const ENTRY = `
import { redlineImage } from "./src/image/index.ts";
import { KOREAN_DOCUMENT, SEED_EDITS } from "./test/image-fixtures.ts";
const DOCUMENTS = { ...SEED_EDITS, korean: KOREAN_DOCUMENT };
export default {
  async fetch(request) {
    const name = new URL(request.url).searchParams.get("edit");
    if (name === null) return Response.json(Object.keys(DOCUMENTS));
    const image = await redlineImage(DOCUMENTS[name]);
    return new Response(image.png, { headers: { "Content-Type": "image/png", "X-Height": String(image.height), "X-Svg-Bytes": String(image.svg.length) } });
  },
};`;

const state = mkdtempSync(join(tmpdir(), "redline-bench-image-"));
const outfile = await bundleForWorkerd({ contents: ENTRY, resolveDir: root, loader: "ts", sourcefile: "bench-image-entry.ts", outdir: state });

const mf = new Miniflare({
  modules: true,
  modulesRoot: state,
  scriptPath: outfile,
  modulesRules: WORKER_MODULE_RULES,
  compatibilityDate: "2026-04-26",
  cf: false,
  log: new Log(LogLevel.WARN),
});
try {
  await mf.ready;
  const pid = workerdPid();
  const render = async (name) => {
    const cpuBefore = processCpuMs(pid);
    const started = performance.now();
    const response = await mf.dispatchFetch(`http://bench.local/?edit=${name}`);
    const png = new Uint8Array(await response.arrayBuffer());
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status}: ${new TextDecoder().decode(png).slice(0, 300)}`);
    return { wallMs: performance.now() - started, cpuMs: processCpuMs(pid) - cpuBefore, png, height: Number(response.headers.get("X-Height")) };
  };
  const names = await (await mf.dispatchFetch("http://bench.local/")).json();
  const first = await render(names[0]);
  console.log(`first render of the isolate (${names[0]}): ${first.wallMs.toFixed(0)} ms wall, ${first.cpuMs} ms workerd CPU`);
  console.log("edit               height  PNG bytes  wall ms/PNG  workerd CPU ms/PNG");
  for (const name of names) {
    let wall = 0;
    let cpu = 0;
    let last = first;
    for (let round = 0; round < rounds; round++) {
      last = await render(name);
      wall += last.wallMs;
      cpu += last.cpuMs;
    }
    console.log(`${name.padEnd(18)} ${String(last.height).padStart(6)} ${String(last.png.length).padStart(10)} ${(wall / rounds).toFixed(1).padStart(12)} ${(cpu / rounds).toFixed(1).padStart(19)}`);
    if (values.out && name === "yonhap") writeFileSync(values.out, last.png);
    if (values["out-dir"]) writeFileSync(join(values["out-dir"], `${name}.png`), last.png);
  }
} finally {
  await mf.dispose();
  rmSync(state, { recursive: true, force: true });
}
