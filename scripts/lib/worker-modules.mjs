/**
 * Scripts that bundle Worker code with esbuild and run it in Miniflare need the modules wrangler
 * bundles by its rules rather than inlines: `.wasm` (compiled at load: workerd compiles no
 * WebAssembly from bytes at run time) and `.ttf` (wrangler.toml's `Data` rule, the redline
 * image's font). This plugin copies each one next to the bundle and leaves it an import there;
 * Miniflare loads them by {@link WORKER_MODULE_RULES}.
 */
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
