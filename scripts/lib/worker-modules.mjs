/**
 * Scripts that bundle Worker code with esbuild and run it in Miniflare need the modules wrangler
 * bundles by its rules rather than inlines: `.wasm` (compiled at load: workerd compiles no
 * WebAssembly from bytes at run time) and `.ttf` (wrangler.toml's `Data` rule, the redline
 * image's font). This plugin copies each one next to the bundle and leaves it an import there;
 * Miniflare loads them by {@link WORKER_MODULE_RULES}.
 */
import { build } from "esbuild";
import { copyFileSync } from "node:fs";
import { basename, join } from "node:path";

export const WORKER_MODULE_RULES = [
  { type: "CompiledWasm", include: ["**/*.wasm"] },
  { type: "Data", include: ["**/*.ttf"] },
];

/** @param {string} outdir  the bundle's folder */
export function workerModules(outdir) {
  return {
    name: "worker-modules",
    setup(build) {
      build.onResolve({ filter: /\.(wasm|ttf)$/ }, async (args) => {
        if (args.pluginData?.resolving) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { resolving: true } });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        const name = basename(resolved.path);
        copyFileSync(resolved.path, join(outdir, name));
        return { path: `./${name}`, external: true };
      });
    },
  };
}

/**
 * Bundles an entry module for workerd as wrangler does (its conditions and main fields, node: and
 * cloudflare: imports left external, .wasm and .ttf kept as modules beside it) into
 * `<outdir>/worker.mjs`; returns that file's path.
 * @param {{ contents: string, resolveDir: string, loader: "js" | "ts", sourcefile: string, outdir: string, define?: Record<string, string> }} entry
 */
export async function bundleForWorkerd({ contents, resolveDir, loader, sourcefile, outdir, define }) {
  const outfile = join(outdir, "worker.mjs");
  await build({
    stdin: { contents, resolveDir, loader, sourcefile },
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["node:*", "cloudflare:*"],
    plugins: [workerModules(outdir)],
    ...(define ? { define } : {}),
    outfile,
    logLevel: "error",
  });
  return outfile;
}
