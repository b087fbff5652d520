// Modules wrangler's rules bundle as they are (wrangler.toml [[rules]]; .wasm is compiled by default).
declare module "*.ttf" {
  /** The font file's bytes (a `Data` module). */
  const bytes: ArrayBuffer;
  export default bytes;
}

declare module "@resvg/resvg-wasm/index_bg.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
