import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { startReplayServer } from "./fixtures/replay.mjs";
import { startBlueskyFake } from "./test/fakes/bluesky.mjs";
import { startDiscordFake } from "./test/fakes/discord.mjs";
import { startMastodonFake } from "./test/fakes/mastodon.mjs";
import { startSlackFake } from "./test/fakes/slack.mjs";
import { startWebSubHub } from "./test/websub-hub.mjs";
import { startWaybackFake } from "./test/fakes/wayback.mjs";

// The fixture replay origin runs in Node beside workerd; the worker reaches it over loopback,
// exactly as under `npm start`.
const replay = await startReplayServer({ port: 0, host: "127.0.0.1", unref: true });
// A WebSub hub on loopback that records what subscribers send it (test/websub.test.ts injects `websubHub`).
const hub = await startWebSubHub({ unref: true });
// Loopback fakes of the services channels deliver to (test/fakes/): each one started here and its
// URL provided to the tests under its name (`inject("mastodonFake")`). A new fake is one line.
const FAKES = {
  mastodonFake: startMastodonFake,
  blueskyFake: startBlueskyFake,
  slackFake: startSlackFake,
  discordFake: startDiscordFake,
  // Save Page Now 2: also the wayback channel's WAYBACK_ORIGIN below.
  waybackFake: startWaybackFake,
};
const fakeUrls = Object.fromEntries(await Promise.all(Object.entries(FAKES).map(async ([name, start]) => [name, (await start({ unref: true })).url])));
// The D1 schema, applied inside workerd by test/apply-migrations.ts (and again after each reset()).
const migrations = await readD1Migrations(new URL("./migrations", import.meta.url).pathname);

/** Tests that need the host: the filesystem (`../shared/corpus`) or npm libraries made for Node. */
const NODE_TESTS = ["src/**/*.node.test.ts", "test/**/*.node.test.ts"];

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ADMIN_TOKEN: "test-admin-token",
                // The development key of scripts/start.mjs: channel secrets are sealed under it.
                SECRETS_KEY: "cmVkbGluZSBsb2NhbCBkZXYga2V5LCBub3QgcHJvZCE=",
                ALLOW_LOOPBACK: "true",
                REPLAY_ORIGIN: replay.url,
                WAYBACK_ORIGIN: fakeUrls.waybackFake,
                FETCH_TIMEOUT_MS: "2000",
                FETCH_MAX_BYTES: String(2 * 1024 * 1024),
                // The tests call the API back to back on one host in real time, and every immediate
                // check and first capture claims its host's slot: no deployment-wide spacing here.
                // The politeness tests set the interval they test (a host's min_interval_ms, its
                // Crawl-delay, or MIN_HOST_INTERVAL_MS on the env they pass).
                MIN_HOST_INTERVAL_MS: "0",
                TEST_MIGRATIONS: migrations,
              },
            },
          }),
        ],
        test: {
          name: "workers",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: NODE_TESTS,
          setupFiles: ["./test/apply-migrations.ts"],
          provide: { websubHub: hub.url, ...fakeUrls },
          // The end-to-end tests share the replay origin's clock, so test files run one at a time.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: NODE_TESTS,
        },
      },
    ],
  },
});
