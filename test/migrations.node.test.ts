/**
 * The D1 migrations as the tools read them. Wrangler splits a migration file into statements
 * on `;` outside BEGIN … END blocks (`unstable_splitSqlQuery`, which readD1Migrations in
 * vitest.config.ts uses too): the triggers of 0003_article_stats.sql must reach SQLite whole.
 * And `wrangler d1 migrations apply --local`, as `npm start` and the e2e run it, must apply
 * 0003 onto a database that already holds articles, fill the stats row from them, and leave
 * triggers that keep it exact; and 0008 onto webhook subscriptions, rebuilding the table.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_splitSqlQuery } from "wrangler";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const migration = (name: string) => readFileSync(join(root, "migrations", name), "utf8");

describe("migrations/0003_article_stats.sql", () => {
  it("splits into the table, its initial fill and three whole triggers, each ending in END", () => {
    const statements = unstable_splitSqlQuery(migration("0003_article_stats.sql"));
    expect(statements.map((statement) => statement.split(/\s+/).slice(0, 3).join(" "))).toEqual([
      "CREATE TABLE article_stats",
      "INSERT INTO article_stats",
      "CREATE TRIGGER article_stats_insert",
      "CREATE TRIGGER article_stats_update",
      "CREATE TRIGGER article_stats_delete",
    ]);
    for (const trigger of statements.slice(2)) {
      expect(trigger).toMatch(/\nBEGIN\n[^]*WHERE id = 1;\nEND$/);
      expect(trigger.match(/;/g)).toHaveLength(1);
    }
  });

  it("is applied by `wrangler d1 migrations apply --local` onto existing articles, filling the stats row, and its triggers keep it exact", async () => {
    // Only 0001 and 0002 at first.
    await inScratchProject(["0001_initial.sql", "0002_newsroom_scale.sql"], async ({ wrangler, add }) => {
      const sql = async (command: string) => JSON.parse(await wrangler("execute", "--json", "--command", command))[0].results;

      await wrangler("migrations", "apply");
      await sql(
        `INSERT INTO articles (id, url, site, first_seen_at, last_changed_at, next_check_at, status, tracking, version_count, change_count) VALUES
         ('a', 'https://a.test/1', 'a.test', 't', 't', 0, 'failing', 1, 3, 4),
         ('b', 'https://a.test/2', 'a.test', 't', 't', 0, 'removed', 0, 2, 3),
         ('c', 'https://a.test/3', 'a.test', 't', 't', 0, 'active', 1, 1, 1)`,
      );
      add("0003_article_stats.sql");
      expect(await wrangler("migrations", "apply")).toContain("0003_article_stats.sql");

      // One wrangler call: the filled row, the triggers, then an insert, two updates and a delete.
      const stats = "SELECT total, tracking, active, removed, failing, blocked, versions, changes FROM article_stats";
      const [filled, triggers, , , , , after] = JSON.parse(
        await wrangler(
          "execute",
          "--json",
          "--command",
          `${stats}; SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name;
           INSERT INTO articles (id, url, site, first_seen_at, last_changed_at, next_check_at) VALUES ('d', 'https://a.test/4', 'a.test', 't', 't', 0);
           UPDATE articles SET status = 'blocked', version_count = 5 WHERE id = 'a';
           UPDATE articles SET tracking = 0 WHERE id = 'c';
           DELETE FROM articles WHERE id = 'b';
           ${stats}`,
        ),
      ) as Array<{ results: unknown[] }>;
      expect(filled!.results).toEqual([{ total: 3, tracking: 2, active: 1, removed: 1, failing: 1, blocked: 0, versions: 6, changes: 8 }]);
      expect(triggers!.results).toEqual([{ name: "article_stats_delete" }, { name: "article_stats_insert" }, { name: "article_stats_update" }]);
      expect(after!.results).toEqual([{ total: 3, tracking: 2, active: 2, removed: 0, failing: 0, blocked: 1, versions: 6, changes: 5 }]);
    });
  }, 60_000);
});

describe("migrations/0008_channels.sql", () => {
  it("is applied by `wrangler d1 migrations apply --local` onto existing webhook subscriptions: each becomes a webhook channel, its URL its config, its secret kept for sealing", async () => {
    const before = ["0001_initial.sql", "0002_newsroom_scale.sql", "0003_article_stats.sql", "0004_sources.sql", "0005_search.sql", "0006_change_search.sql", "0007_access.sql"];
    await inScratchProject(before, async ({ wrangler, add }) => {
      await wrangler("migrations", "apply");
      await wrangler(
        "execute",
        "--command",
        `INSERT INTO subscriptions (id, url, filter, secret, created_at, origin, dead_lettered, last_dead_letter) VALUES
         ('s1', 'https://hooks.example.com/redline', '{"articleId":null,"site":"en.yna.co.kr","kinds":["body"],"minSignificance":0.3}', 'an old plaintext secret', '2026-01-01T00:00:00.000Z', 'https://redline.example', 2, '{"changeId":"x-1","at":"2026-01-02T00:00:00.000Z"}')`,
      );
      add("0008_channels.sql");
      expect(await wrangler("migrations", "apply")).toContain("0008_channels.sql");
      const [rows, columns] = JSON.parse(
        await wrangler("execute", "--json", "--command", "SELECT * FROM subscriptions; SELECT name FROM pragma_table_info('subscriptions') ORDER BY cid"),
      ) as Array<{ results: unknown[] }>;
      expect(rows!.results).toEqual([
        {
          id: "s1",
          type: "webhook",
          config: '{"url":"https://hooks.example.com/redline"}',
          filter: '{"articleId":null,"site":"en.yna.co.kr","kinds":["body"],"minSignificance":0.3}',
          sealed_secret: null,
          plain_secret: "an old plaintext secret",
          created_at: "2026-01-01T00:00:00.000Z",
          origin: "https://redline.example",
          dead_lettered: 2,
          last_dead_letter: '{"changeId":"x-1","at":"2026-01-02T00:00:00.000Z"}',
        },
      ]);
      expect(columns!.results).toEqual(
        ["id", "type", "config", "filter", "sealed_secret", "plain_secret", "created_at", "origin", "dead_lettered", "last_dead_letter"].map((name) => ({ name })),
      );
    });
  }, 60_000);
});

interface ScratchProject {
  /** Runs `wrangler d1 <args> redline --local` on the project's own local database; its stdout. */
  wrangler: (...args: string[]) => Promise<string>;
  /** Copies one more of the project's migrations in. */
  add: (name: string) => void;
}

/** Runs `body` in a scratch folder holding a copy of the project's D1 configuration and the named migrations; the folder is removed after. */
async function inScratchProject(migrations: string[], body: (project: ScratchProject) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "redline-migrations-"));
  try {
    writeFileSync(
      join(dir, "wrangler.toml"),
      'name = "redline-migrations-test"\nmain = "index.js"\ncompatibility_date = "2026-04-26"\n\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "redline"\ndatabase_id = "00000000-0000-0000-0000-000000000000"\nmigrations_dir = "migrations"\n',
    );
    writeFileSync(join(dir, "index.js"), "export default {};\n");
    const add = (name: string) => cpSync(join(root, "migrations", name), join(dir, "migrations", name));
    for (const name of migrations) add(name);
    await body({ wrangler: (...args) => run(dir, ["d1", ...args, "redline", "--local", "--persist-to", join(dir, "state")]), add });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs wrangler in `cwd`; resolves with its stdout, rejects with its output when it fails. */
function run(cwd: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, [join(root, "node_modules/wrangler/bin/wrangler.js"), ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: "log", NO_COLOR: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("exit", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`wrangler ${args.join(" ")} exited ${code}:\n${stdout}\n${stderr}`))));
  });
}
