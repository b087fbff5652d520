// Ambient types for tests and tooling: `?raw` fixture imports and the typed `env`/`exports`
// of `cloudflare:workers`.
declare module "*?raw" {
  const content: string;
  export default content;
}

type RedlineEnv = import("./src/env").Env;

declare namespace Cloudflare {
  interface Env extends RedlineEnv {}
  interface GlobalProps {
    mainModule: typeof import("./src/index");
  }
}
