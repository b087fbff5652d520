// Ambient types for tests and tooling: `?raw` fixture imports and the typed `env`/`exports`
// of `cloudflare:workers`.
declare module "*?raw" {
  const content: string;
  export default content;
}

type RedlineEnv = import("./src/env").Env;

declare namespace Cloudflare {
  interface Env extends RedlineEnv {
    /** vitest.config.ts: the D1 migrations, applied by test/apply-migrations.ts. */
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
  interface GlobalProps {
    mainModule: typeof import("./src/index");
  }
}
