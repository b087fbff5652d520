/**
 * `npm run migrate` (scripts/migrate.mjs) against a stand-in for POST /api/admin/migrate-kv and
 * POST /api/admin/reindex: it sends the token and each cursor back, retries a 5xx, stops at
 * `done`, then reindexes until done, prints the totals and exits 1 when something needs the
 * operator. test/migrate.test.ts and test/search-reindex.test.ts cover the endpoints.
 */
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../scripts/migrate.mjs", import.meta.url));

const usage = { kvReads: 10, kvWrites: 4, kvLists: 1, d1Queries: 7 };
const report = (overrides: Record<string, unknown>) => ({
  migrated: 0,
  skipped: 0,
  articles: [],
  subscriptions: { migrated: 0, skipped: 0 },
  cronRun: null,
  leftovers: [],
  verified: { ok: true, checked: 0, failures: [] },
  usage,
  cursor: null,
  done: false,
  ...overrides,
});

const reindexUsage = { kvReads: 3, kvWrites: 0, kvLists: 0, d1Queries: 2 };
const reindexed = (versions: number, changes: number, cursor: string | null) => ({
  done: cursor === null,
  cursor,
  indexed: { versions, changes },
  unreadable: [],
  usage: reindexUsage,
});
const REINDEX_DONE = [reindexed(0, 0, null)];

async function bodyOf(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of request) text += chunk;
  return JSON.parse(text) as Record<string, unknown>;
}

type Answer = Record<string, unknown> | number;

/** Serves each endpoint's `answers` in turn (a number: that HTTP status), recording each request; runs the script against it. */
async function runAgainst(answers: Answer[], args: string[] = [], reindexAnswers: Answer[] = [...REINDEX_DONE]) {
  const requests: Array<{ path: string | undefined; authorization: string | undefined; body: Record<string, unknown> }> = [];
  const server = createServer(async (request, response) => {
    requests.push({ path: request.url, authorization: request.headers.authorization, body: await bodyOf(request) });
    const answer = request.url === "/api/admin/reindex" ? reindexAnswers.shift() : answers.shift();
    if (typeof answer === "number") {
      response.writeHead(answer, { "Content-Type": "application/problem+json" }).end(JSON.stringify({ status: answer, detail: "stand-in failure" }));
    } else {
      response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(answer));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const child = spawn(process.execPath, [script, "--url", url, "--token", "secret-token", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    return { code, output, requests };
  } finally {
    server.close();
  }
}

describe("npm run migrate", () => {
  it("calls until done, passing each cursor back, then reindexes until done, and prints the totals", { timeout: 20_000 }, async () => {
    const { code, output, requests } = await runAgainst(
      [
        report({ migrated: 1, articles: [{ id: "a", outcome: "migrated", versions: 3, changes: 4, adopted: [] }], verified: { ok: true, checked: 3, failures: [] }, cursor: "c1" }),
        503,
        report({ skipped: 1, articles: [{ id: "b", outcome: "already-migrated", versions: 0, changes: 0, adopted: [] }], verified: { ok: true, checked: 2, failures: [] }, cursor: "c2" }),
        report({ subscriptions: { migrated: 1, skipped: 0 }, cronRun: "migrated", done: true }),
      ],
      ["--batch", "1"],
      [reindexed(3, 0, "r1"), reindexed(0, 2, null)],
    );
    expect(output).toContain("retrying");
    expect(code, output).toBe(0);
    expect(requests.map((request) => [request.path, request.body])).toEqual([
      ["/api/admin/migrate-kv", { cursor: null, batch: 1 }],
      ["/api/admin/migrate-kv", { cursor: "c1", batch: 1 }],
      ["/api/admin/migrate-kv", { cursor: "c1", batch: 1 }],
      ["/api/admin/migrate-kv", { cursor: "c2", batch: 1 }],
      ["/api/admin/reindex", { cursor: null }],
      ["/api/admin/reindex", { cursor: "r1" }],
    ]);
    expect(output).toMatch(/versions indexed for search\s+3\n/);
    expect(output).toMatch(/changes indexed for search\s+2\n/);
    expect(output).toMatch(/reindex calls \(KV operations, D1 queries\)\s+2 \(6, 4\)\n/);
    expect(requests.every((request) => request.authorization === "Bearer secret-token")).toBe(true);
    expect(output).toMatch(/articles migrated\s+1\n/);
    expect(output).toMatch(/articles already migrated\s+1\n/);
    expect(output).toMatch(/version rows written\s+3\n/);
    expect(output).toMatch(/versions verified\s+5\n/);
    expect(output).toMatch(/cron:last\s+migrated\n/);
    expect(output).toContain("every migrated hash chain verifies");
  });

  it("exits 1 listing conflicts, leftovers and broken links", async () => {
    const { code, output } = await runAgainst([
      report({
        skipped: 1,
        articles: [{ id: "c", outcome: "conflict", versions: 0, changes: 0, adopted: [], note: "D1 already tracks this article with a history of its own" }],
        leftovers: [{ articleId: "d", kind: "version", n: 4, adopted: false, reason: "does not verify" }],
        verified: { ok: false, checked: 1, failures: [{ articleId: "e", n: 2, field: "contentHash", expected: "x", actual: "y", detail: "the stored text does not match its content hash" }] },
        cronRun: "absent",
        done: true,
      }),
    ]);
    expect(code).toBe(1);
    expect(output).toContain("c (conflict): D1 already tracks this article");
    expect(output).toContain("left in KV  d version 4: does not verify");
    expect(output).toContain("e n=2 contentHash: the stored text does not match its content hash");
  });

  it("stops on a 4xx without retrying", async () => {
    const { code, output, requests } = await runAgainst([401]);
    expect(code).toBe(2);
    expect(requests).toHaveLength(1);
    expect(output).toContain("401: stand-in failure");
  });
});
