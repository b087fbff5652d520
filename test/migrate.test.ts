/**
 * The migration from the KV-only layout (issue 13): a KV store written by the old code (its
 * writer, frozen in test/legacy/ from commit 6253bff) is migrated a call at a time, and
 * afterwards the API answers what the old code answered; a second run changes nothing; an
 * article the new layout already holds is never overwritten; leftovers of crashed old checks
 * are adopted when they verify and reported when they do not.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { articleView } from "../src/api/articles";
import { recordDigest, verifyChain } from "../src/archive/chain";
import { contentHash, EVENT_SIGNIFICANCE, normalizeContent, summarizeRelocated, summarizeRemoved } from "../src/diffing";
import { sha256Hex } from "../src/digest";
import { articleIdFor } from "../src/fetching/url";
import type { ArticleContent } from "../src/model";
import { legacyKeys } from "../src/storage/keys";
import { DEFAULT_MIGRATION_OPTIONS, MIN_BUDGET, type MigrationReport } from "../src/storage/migrate";
import type { ArticleRecord, ChangeRecord, CronRunRecord, SubscriptionRecord, VersionRecord } from "../src/storage/records";
import { changeForVersion } from "../src/tracking/decide";
import { trackerFor } from "../src/tracking";
import { api, check, getRaw, reset, SEED_URLS, serveTimelineEntry, track } from "./helpers";
import { RedlineStore as OldStore } from "./legacy/store-6253bff";

// -- an old deployment, written the way the old code's checks wrote it ---------------------------

interface Page {
  content: ArticleContent;
  /** The body as served; none for a version stored before raw captures were kept (and before the chain). */
  body?: string;
  contentType?: string;
  finalUrl?: string;
  etag?: string | null;
}

const HOUR = 3_600_000;

/** The old check's writes in the old order (raw body, version, change and its feed keys, article), through the old store. */
class OldDeployment {
  readonly store = new OldStore(env.REDLINE_KV);

  async create(url: string, page: Page, at: string): Promise<ArticleRecord> {
    const blank: ArticleRecord = {
      id: await articleIdFor(url),
      url,
      site: new URL(url).hostname,
      title: "",
      tracking: true,
      status: "active",
      firstSeenAt: at,
      lastCheckedAt: at,
      lastChangedAt: at,
      nextCheckAt: at,
      versionCount: 0,
      changeCount: 0,
      latestHash: null,
      finalUrl: null,
      etag: null,
      lastModified: null,
      consecutiveFailures: 0,
      consecutiveMissing: 0,
      lastError: null,
      retireAt: null,
    };
    return this.newVersion(blank, page, at);
  }

  /** The old `recordVersion`: the version is stored before its change, the article last (unless `crash`, a check that died there). */
  async newVersion(article: ArticleRecord, page: Page, at: string, crash: "before-change" | "before-article" | null = null): Promise<ArticleRecord> {
    const previous = article.versionCount > 0 ? await this.store.getVersion(article.id, article.versionCount) : null;
    const version = await this.versionRecord(article, previous, page, at);
    await this.store.putVersion(article.id, version);
    if (crash === "before-change") return article;
    const earlier = previous ? await this.store.listVersions(article.id, article.versionCount) : [];
    const revertOf = earlier.filter((summary) => summary.contentHash === version.contentHash).at(-1)?.n ?? null;
    const change = changeForVersion(article, previous, version, [], previous ? revertOf : null);
    if (!page.body) delete change.significance; // recorded before significance was scored
    await this.store.putChange(change);
    if (crash === "before-article") return article;
    const next: ArticleRecord = {
      ...article,
      title: version.title,
      status: "active",
      versionCount: version.n,
      changeCount: change.seq,
      latestHash: version.contentHash,
      finalUrl: version.finalUrl,
      lastChangedAt: at,
      lastCheckedAt: at,
      nextCheckAt: new Date(Date.parse(at) + HOUR).toISOString(),
      etag: page.etag ?? null,
      lastModified: null,
      consecutiveFailures: 0,
      consecutiveMissing: 0,
      lastError: null,
    };
    await this.store.putArticle(next);
    return next;
  }

  async versionRecord(article: ArticleRecord, previous: VersionRecord | null, page: Page, at: string): Promise<VersionRecord> {
    const content = normalizeContent(page.content);
    const base = {
      n: article.versionCount + 1,
      capturedAt: at,
      url: article.url,
      finalUrl: page.finalUrl ?? article.url,
      httpStatus: 200,
      charset: "utf-8",
      contentHash: await contentHash(content),
      ...content,
    };
    if (!page.body) return base; // before canonical URLs, raw captures and the chain
    const bytes = new TextEncoder().encode(page.body);
    const sha256 = await sha256Hex(bytes);
    const stored = await this.store.putRaw(sha256, bytes);
    const contentType = page.contentType ?? "text/html; charset=utf-8";
    return {
      ...base,
      canonicalUrl: article.url,
      raw: { sha256, size: bytes.byteLength, status: 200, contentType, headers: [["content-type", contentType], ...(page.etag ? [["etag", page.etag] as [string, string]] : [])], stored },
      prevRecordSha256: previous ? await recordDigest(previous) : null,
    };
  }

  /** The second 404 in a row: a `removed` change, no version. */
  async removed(article: ArticleRecord, at: string): Promise<ArticleRecord> {
    const seq = article.changeCount + 1;
    const change: ChangeRecord = {
      id: `${article.id}-${seq}`, articleId: article.id, seq, url: article.url, title: article.title,
      from: article.versionCount, to: null, detectedAt: at, kinds: ["removed"], summary: summarizeRemoved(404), significance: EVENT_SIGNIFICANCE.removed,
    };
    await this.store.putChange(change);
    const next: ArticleRecord = { ...article, status: "removed", changeCount: seq, lastChangedAt: at, lastCheckedAt: at, consecutiveMissing: 2, consecutiveFailures: 0, lastError: null, nextCheckAt: new Date(Date.parse(at) + 6 * HOUR).toISOString() };
    await this.store.putArticle(next);
    return next;
  }

  /** The same text at a new final URL: a `final-url` change, no version. */
  async relocated(article: ArticleRecord, finalUrl: string, at: string): Promise<ArticleRecord> {
    const seq = article.changeCount + 1;
    const change: ChangeRecord = {
      id: `${article.id}-${seq}`, articleId: article.id, seq, url: article.url, title: article.title, from: article.versionCount, to: article.versionCount,
      detectedAt: at, kinds: ["final-url"], summary: summarizeRelocated(), significance: EVENT_SIGNIFICANCE.relocated, fields: { "final-url": { before: article.finalUrl!, after: finalUrl } },
    };
    await this.store.putChange(change);
    const next = { ...article, finalUrl, changeCount: seq, lastChangedAt: at, lastCheckedAt: at };
    await this.store.putArticle(next);
    return next;
  }
}

const HANI_URL = "https://www.hani.co.kr/arti/politics/defense/917700.html";
const YNA_URL = "https://en.yna.co.kr/view/AEN20191119000300315";
const KOREAN_TITLE = "美, 방위비 분담금 협상 결렬 − 3차 회의 80분 만에 중단";

const korean = (title: string, paragraphs: string[]): ArticleContent => ({
  title,
  byline: "노지원 기자",
  publishedAt: "2019-11-19T17:44:00+09:00",
  modifiedAt: null,
  paragraphs,
});
const HANI_V1 = korean(KOREAN_TITLE, [
  "한·미 방위비분담금 특별협정(SMA) 3차 회의가 19일 미국 쪽의 일방적 중단으로 80분 만에 끝났다.",
  "제임스 드하트 미국 협상대표는 \"한국 쪽 제안은 공정하고 공평한 분담이라는 우리의 요청에 부응하지 못했다\"고 말했다.",
]);
const HANI_V2 = korean(`${KOREAN_TITLE}…美 "새 제안 기다린다"`, [
  ...HANI_V1.paragraphs,
  "정은보 한국 협상대사는 \"미국 쪽의 전체적인 제안 금액과 우리 쪽이 수용할 수 있는 금액 사이에 큰 차이가 있다\"고 밝혔다.",
]);
const page = (content: ArticleContent, etag: string): Page => ({
  content,
  etag,
  body: `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>${content.title}</title></head><body><h1>${content.title}</h1>${content.paragraphs.map((p) => `<p>${p}</p>`).join("")}</body></html>`,
});

/** ~950 bytes: too long for KV list metadata, so the old version list read this version for its title. */
const LONG_TITLE = `US walks out of defense cost-sharing talks with South Korea ${"after demanding a fivefold increase ".repeat(26)}`.trim();
const YNA_V1: ArticleContent = {
  title: LONG_TITLE,
  byline: "Kim Eun-jung",
  publishedAt: "2019-11-19T17:30:00+09:00",
  modifiedAt: null,
  paragraphs: ["SEOUL, Nov. 19 (Yonhap) -- The United States walked out of the talks on Tuesday.", "The two sides had planned to meet for two days."],
};
const YNA_V2: ArticleContent = { ...YNA_V1, modifiedAt: "2019-11-19T19:02:00+09:00", paragraphs: [...YNA_V1.paragraphs, "The next round has not been scheduled."] };

const SUBSCRIPTION: SubscriptionRecord = {
  id: "6f1c2a7e-5d0b-4c3e-9a41-2b8f0c6d9e13",
  url: "https://hooks.example.com/redline",
  filter: { articleId: null, site: "www.hani.co.kr", kinds: ["body"], minSignificance: 0.3 },
  secret: "a".repeat(64),
  createdAt: "2019-11-18T00:00:00.000Z",
  origin: "https://redline.example",
  deadLettered: 2,
  lastDeadLetter: { changeId: "x-1", at: "2019-11-20T00:00:00.000Z" },
};
const CRON_LAST: CronRunRecord = { startedAt: "2019-11-21T09:00:00.000Z", finishedAt: "2019-11-21T09:00:04.120Z", due: 3, checked: 3, changed: 1, failed: 0, deferred: 0 };

/** Two articles (one Korean with an edit, a revert and a removal; one from before the chain with a relocation, stopped), a subscription, cron:last. */
async function writeOldDeployment(): Promise<{ old: OldDeployment; ids: string[] }> {
  const old = new OldDeployment();
  let hani = await old.create(HANI_URL, page(HANI_V1, '"v1"'), "2019-11-19T08:44:00.000Z");
  hani = await old.newVersion(hani, page(HANI_V2, '"v2"'), "2019-11-19T12:00:00.000Z");
  hani = await old.newVersion(hani, page(HANI_V1, '"v3"'), "2019-11-20T09:15:00.000Z"); // back to version 1: a revert
  hani = await old.removed(hani, "2019-11-21T09:00:00.000Z");
  let yna = await old.create(YNA_URL, { content: YNA_V1 }, "2019-11-19T09:00:00.000Z"); // before raw captures and the chain
  yna = await old.newVersion(yna, { content: YNA_V2, body: `<html><body><h1>${LONG_TITLE}</h1></body></html>`, etag: '"y2"' }, "2019-11-19T10:30:00.000Z");
  yna = await old.relocated(yna, "https://en.yna.co.kr/view/AEN20191119000300315?section=nk", "2019-11-19T14:00:00.000Z");
  await old.store.putArticle({ ...yna, tracking: false }); // DELETE /api/articles/:id
  await old.store.putSubscription(SUBSCRIPTION);
  await old.store.putCronRun(CRON_LAST);
  return { old, ids: [hani.id, yna.id] };
}

// -- what the old code answered, and what the new one answers ------------------------------------

/** A KV-era subscription as the API shows it since channels (migrations/0008): a webhook, its secret never shown. */
function publicView({ secret: _secret, url, filter, ...rest }: SubscriptionRecord) {
  return { ...rest, type: "webhook", url, config: { url }, description: `POST to ${url}`, filter: { ...filter, source: null } };
}

async function oldAnswers(old: OldDeployment, ids: string[]) {
  const articles = [];
  for (const id of ids) {
    const article = (await old.store.getArticle(id))!;
    const records: VersionRecord[] = [];
    for (let n = 1; n <= article.versionCount; n++) records.push((await old.store.getVersion(id, n))!);
    const raws: Record<number, string> = {};
    for (const record of records) if (record.raw?.stored) raws[record.n] = await sha256Hex((await old.store.getRaw(record.raw.sha256))!);
    articles.push({
      // The KV-only layout had no sources: a migrated article was found by none.
      view: { ...articleView(article), sources: [] },
      versions: { items: await old.store.listVersions(id, article.versionCount) },
      records,
      verify: await verifyChain(records, (sha256) => old.store.getRaw(sha256)),
      raws,
      changes: (await old.store.listArticleChanges(id, 100, null)).items,
      siteChanges: (await old.store.listChanges(100, null, null, article.site)).items,
    });
  }
  const status = { articles: { total: 0, tracking: 0, active: 0, removed: 0, failing: 0, blocked: 0, retired: 0 }, versions: 0, changes: 0 };
  for await (const entry of old.store.scanArticleIndex()) {
    status.articles.total++;
    if (entry.tracking) status.articles.tracking++;
    status.articles[entry.status]++;
    status.versions += entry.versionCount;
    status.changes += entry.changeCount;
  }
  const subscriptions = [];
  for await (const { id } of old.store.subscriptionIndex()) subscriptions.push(publicView((await old.store.getSubscription(id))!));
  return {
    articles,
    changes: (await old.store.listChanges(100, null, null)).items,
    // The old layout had no checks queue and no sources: no dispatch, no queued checks and no source yet after the migration.
    status: {
      ...status,
      sources: { total: 0, active: 0, failing: 0, paused: 0 },
      lastDispatch: null,
      checks: { completedLastHour: {}, completedLast24h: {}, deadLettered: 0, lastDeadLetter: null },
      lastCronRun: await old.store.getCronRun(),
    },
    subscriptions: { items: subscriptions },
  };
}

async function newAnswers(ids: string[]) {
  const store = trackerFor(env).store;
  const articles = [];
  for (const id of ids) {
    const view = (await api("GET", `/api/articles/${id}`)).json;
    const records: VersionRecord[] = [];
    const raws: Record<number, string> = {};
    for (let n = 1; n <= view.versionCount; n++) {
      const record: VersionRecord = (await api("GET", `/api/articles/${id}/versions/${n}`)).json;
      records.push(record);
      if (record.raw?.stored) {
        const response = await getRaw(`/api/articles/${id}/versions/${n}/raw`);
        expect(response.status).toBe(200);
        raws[n] = await sha256Hex(new Uint8Array(await response.arrayBuffer()));
      }
    }
    articles.push({
      view,
      versions: (await api("GET", `/api/articles/${id}/versions`)).json,
      records,
      verify: (await api("GET", `/api/articles/${id}/verify`)).json,
      raws,
      changes: (await store.listArticleChanges(id, 100, null)).items,
      siteChanges: (await store.listChanges({ limit: 100, site: view.site })).items,
    });
  }
  return {
    articles,
    changes: (await api("GET", "/api/changes?limit=100")).json.items,
    status: (await api("GET", "/api/status")).json,
    subscriptions: (await api("GET", "/api/subscriptions")).json,
  };
}

// -- running the migration -----------------------------------------------------------------------

interface Run {
  calls: MigrationReport[];
  articles: MigrationReport["articles"];
  leftovers: MigrationReport["leftovers"];
  failures: MigrationReport["verified"]["failures"];
  checked: number;
}

/** Calls the endpoint until it is done, checking every call stays within its budget. */
async function migrate(options: { batch?: number; kvBudget?: number; d1Budget?: number } = {}): Promise<Run> {
  const kvBudget = options.kvBudget ?? DEFAULT_MIGRATION_OPTIONS.kvBudget;
  const d1Budget = options.d1Budget ?? DEFAULT_MIGRATION_OPTIONS.d1Budget;
  const calls: MigrationReport[] = [];
  let cursor: string | null = null;
  while (calls.length < 500) {
    const { status, json } = await api("POST", "/api/admin/migrate-kv", { body: { cursor, batch: options.batch ?? 1, kvBudget, d1Budget } });
    expect(status, JSON.stringify(json)).toBe(200);
    const report = json as MigrationReport;
    calls.push(report);
    const { kvReads, kvWrites, kvLists, d1Queries } = report.usage;
    expect(kvReads + kvWrites + kvLists).toBeLessThanOrEqual(kvBudget);
    expect(d1Queries).toBeLessThanOrEqual(d1Budget);
    if (report.done) {
      expect(report.cursor).toBeNull();
      return {
        calls,
        articles: calls.flatMap((call) => call.articles),
        leftovers: calls.flatMap((call) => call.leftovers),
        failures: calls.flatMap((call) => call.verified.failures),
        checked: calls.reduce((sum, call) => sum + call.verified.checked, 0),
      };
    }
    expect(report.cursor).not.toBe(cursor); // every call makes progress
    cursor = report.cursor;
  }
  throw new Error("the migration did not finish in 500 calls");
}

/** Every D1 row and every KV key (with its value), to show a run wrote nothing. */
async function everything() {
  const tables: Record<string, unknown[]> = {};
  for (const table of ["articles", "versions", "changes", "subscriptions", "runs"]) {
    tables[table] = (await env.DB.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all()).results;
  }
  const kv: Record<string, string> = {};
  for (const { name } of (await env.REDLINE_KV.list()).keys) kv[name] = await sha256Hex(new Uint8Array((await env.REDLINE_KV.get(name, "arrayBuffer"))!));
  return { tables, kv };
}

const OLD_PREFIXES = ["article:", "version:", "change:", "changes:", "sitechanges:", "subscription:", "cron:last"];
const oldKeys = async () => (await env.REDLINE_KV.list()).keys.map(({ name }) => name).filter((name) => OLD_PREFIXES.some((prefix) => name.startsWith(prefix)));

describe("POST /api/admin/migrate-kv", () => {
  beforeEach(reset);

  it("needs the admin token and a cursor it returned", async () => {
    expect((await api("POST", "/api/admin/migrate-kv", { headers: {} })).status).toBe(401);
    expect((await api("POST", "/api/admin/migrate-kv", { body: { cursor: "nonsense" } })).status).toBe(400);
    expect((await api("POST", "/api/admin/migrate-kv", { body: { batch: 0 } })).status).toBe(400);
    expect((await api("POST", "/api/admin/migrate-kv", { body: { kvBudget: 5000 } })).status).toBe(400);
    const empty = await api("POST", "/api/admin/migrate-kv", { rawBody: "" });
    expect(empty.json).toMatchObject({ migrated: 0, skipped: 0, done: true, cursor: null, cronRun: "absent", verified: { ok: true, checked: 0, failures: [] } });
  });

  it("migrates an old deployment a call at a time, and the API then answers what the old code answered", async () => {
    const { old, ids } = await writeOldDeployment();
    const before = await oldAnswers(old, ids);
    const keysBefore = await oldKeys();
    expect(before.articles[0]!.records[0]!.title).toBe(KOREAN_TITLE);
    expect(before.articles[0]!.changes.map((change) => change.kinds.filter((kind) => ["created", "revert", "removed"].includes(kind)))).toEqual([["removed"], ["revert"], [], ["created"]]);
    expect(before.articles[1]!.verify).toMatchObject({ ok: true, unchained: [1] });

    const run = await migrate({ batch: 1 });
    expect(run.calls.length).toBeGreaterThanOrEqual(2); // one article per call
    expect(run.calls[0]!.articles).toHaveLength(1);
    expect(run.articles.map(({ id, outcome, versions, changes }) => ({ id, outcome, versions, changes }))).toEqual(
      [
        { id: ids[0], outcome: "migrated", versions: 3, changes: 4 },
        { id: ids[1], outcome: "migrated", versions: 2, changes: 3 },
      ].sort((a, b) => a.id!.localeCompare(b.id!)),
    );
    expect(run.failures).toEqual([]);
    expect(run.checked).toBe(5);
    expect(run.leftovers).toEqual([]);
    expect(run.calls.reduce((sum, call) => sum + call.subscriptions.migrated, 0)).toBe(1);
    expect(run.calls.at(-1)!.cronRun).toBe("migrated");

    expect(await newAnswers(ids)).toEqual(before);
    // The snapshots hold the old records byte for byte, under the digest their rows name.
    for (const record of before.articles.flatMap((article) => article.records)) {
      expect(await env.REDLINE_KV.get(`snapshot:${await recordDigest(record)}`)).toBe(JSON.stringify(record));
    }
    expect(await env.DB.prepare("SELECT DISTINCT revision FROM articles").all()).toMatchObject({ results: [{ revision: 1 }] });
    expect(await oldKeys()).toEqual(keysBefore); // nothing of the old layout is deleted

    // Idempotent: a second run writes nothing, verifies everything again and says why it skipped.
    const state = await everything();
    const again = await migrate({ batch: 1 });
    expect(await everything()).toEqual(state);
    expect(again.articles.map(({ outcome, versions, changes }) => ({ outcome, versions, changes }))).toEqual([
      { outcome: "already-migrated", versions: 0, changes: 0 },
      { outcome: "already-migrated", versions: 0, changes: 0 },
    ]);
    expect(again.calls.every((call) => call.usage.kvWrites === 0)).toBe(true);
    expect(again.checked).toBe(5);
    expect(again.failures).toEqual([]);
    expect(again.calls.reduce((sum, call) => sum + call.subscriptions.skipped, 0)).toBe(1);
    expect(again.calls.at(-1)!.cronRun).toBe("skipped");
    expect(await newAnswers(ids)).toEqual(before);

    // The migrated articles are the new layout's from now on: a check commits on top of them.
    await api("POST", "/api/articles", { body: { url: YNA_URL } }); // resumes tracking
    expect((await api("GET", `/api/articles/${ids[1]}`)).json.tracking).toBe(true);
  });

  it("cuts an article into parts when the budget is small, with the same result", async () => {
    const { old, ids } = await writeOldDeployment();
    const before = await oldAnswers(old, ids);
    const smallest = { kvBudget: MIN_BUDGET.kv, d1Budget: MIN_BUDGET.d1 };
    const run = await migrate({ batch: 5, ...smallest });
    // Calls that ended inside an article, which the next one continued.
    expect(run.calls.filter((call) => call.articles.length === 0 && !call.done).length).toBeGreaterThanOrEqual(2);
    expect(run.articles.filter((article) => article.outcome === "migrated")).toHaveLength(2);
    expect(run.failures).toEqual([]);
    expect(run.checked).toBe(5);
    expect(await newAnswers(ids)).toEqual(before);
    const again = await migrate({ batch: 5, ...smallest });
    expect(again.articles.map((article) => article.outcome)).toEqual(["already-migrated", "already-migrated"]);
    expect(again.checked).toBe(5);
  });

  it("costs what docs/storage.md says", async () => {
    await writeOldDeployment();
    // Per article KV 1 + 3v + c + 2 (a version without a raw body: 2), D1 2 + 2v + c (a version row and its search row); one list of
    // article keys, one of subscription keys, then one read and one statement each for the
    // subscription and cron:last. Hani: v 3, c 4; Yonhap: v 2 (one without raw), c 3.
    const run = await migrate({ batch: 10 });
    expect(run.calls).toHaveLength(1);
    expect(run.calls[0]!.usage).toEqual({ kvReads: 2 + 5 + 4 + 7 + 4 + 1 + 1, kvWrites: 5, kvLists: 2, d1Queries: 2 * 2 + 2 * 5 + 7 + 1 + 1 });
    // A rerun: per article KV 1 + 2v, D1 1 + 1 per 100 versions; no writes.
    const again = await migrate({ batch: 10 });
    expect(again.calls[0]!.usage).toEqual({ kvReads: 2 + 5 + 4 + 1 + 1, kvWrites: 0, kvLists: 2, d1Queries: 2 * 2 + 1 + 1 });
    // Every migrated version has its search row, once, the rerun adding none.
    const counts = await env.DB.prepare("SELECT (SELECT COUNT(*) FROM versions) AS versions, (SELECT COUNT(*) FROM version_search) AS rows").first();
    expect(counts).toEqual({ versions: 5, rows: 5 });
  });

  it("does not bring back a subscription deleted since the migration", async () => {
    await writeOldDeployment();
    await migrate({ batch: 10 });
    expect((await api("GET", `/api/subscriptions/${SUBSCRIPTION.id}`)).json).toEqual(publicView(SUBSCRIPTION));
    expect((await api("DELETE", `/api/subscriptions/${SUBSCRIPTION.id}`)).status).toBe(204);
    expect(await env.REDLINE_KV.get(legacyKeys.subscription(SUBSCRIPTION.id))).toBeNull();
    const again = await migrate({ batch: 10 });
    expect(again.calls[0]!.subscriptions).toEqual({ migrated: 0, skipped: 0 });
    expect((await api("GET", `/api/subscriptions/${SUBSCRIPTION.id}`)).status).toBe(404);
  });

  it("reports a broken chain and a missing record, and still migrates what is there", async () => {
    const { old, ids } = await writeOldDeployment();
    const hani = ids[0]!;
    const v2 = (await old.store.getVersion(hani, 2))!;
    await env.REDLINE_KV.put(legacyKeys.version(hani, 2), JSON.stringify({ ...v2, paragraphs: [...v2.paragraphs, "덧붙인 문단"] })); // edited after the fact
    await env.REDLINE_KV.delete(legacyKeys.change(hani, 2));
    const yna = ids[1]!;
    const raw = (await old.store.getVersion(yna, 2))!.raw!;
    await env.REDLINE_KV.put(`raw:${raw.sha256}`, new TextEncoder().encode("not gzip")); // does not even decompress
    const run = await migrate({ batch: 10 });
    expect(run.calls).toHaveLength(1);
    expect(run.calls[0]!.verified.ok).toBe(false);
    expect(run.failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ articleId: hani, n: 2, field: "contentHash" }),
        expect.objectContaining({ articleId: hani, n: 2, field: "missing", detail: expect.stringContaining(`change:${hani}:00000002 is missing`) }),
        expect.objectContaining({ articleId: yna, n: 2, field: "raw.sha256", detail: "the stored raw body does not match its digest" }),
      ]),
    );
    expect(run.failures).toHaveLength(3);
    expect(run.articles.map((article) => article.outcome)).toEqual(["migrated", "migrated"]);
    expect((await api("GET", `/api/articles/${hani}/verify`)).json).toMatchObject({ ok: false, firstBroken: { n: 2, field: "contentHash" } });
    expect((await api("GET", `/api/articles/${hani}/versions`)).json.items).toHaveLength(3);
  });
});

describe("an article the new layout already holds", () => {
  beforeEach(reset);

  it("is not overwritten once it has been checked since the migration", async () => {
    const { ids } = await writeOldDeployment();
    await migrate({ batch: 10 });
    const checked = await check(ids[0]!); // the replay origin answers 404: still removed, and the head moves on
    expect(checked.json.outcome).toBe("missing");
    const head = await env.DB.prepare("SELECT * FROM articles WHERE id = ?").bind(ids[0]).first();
    expect(head).toMatchObject({ revision: 2, consecutive_missing: 3 });
    const state = await everything();
    const again = await migrate({ batch: 10 });
    expect(await everything()).toEqual(state);
    expect(again.articles.find((article) => article.id === ids[0])).toMatchObject({ outcome: "changed-since", versions: 0, changes: 0, note: expect.stringContaining("revision 2") });
    expect(again.failures).toEqual([]);
  });

  it("is not overwritten when it was tracked anew before the migration reached it", async () => {
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const created = await track(SEED_URLS.yonhap);
    expect(created.status).toBe(201);
    const id: string = created.json.id;
    const old = new OldDeployment();
    let stale = await old.create(SEED_URLS.yonhap, { content: YNA_V1, body: "<p>old</p>" }, "2019-11-19T09:00:00.000Z");
    stale = await old.newVersion(stale, { content: YNA_V2, body: "<p>older</p>" }, "2019-11-19T10:00:00.000Z");
    expect(stale.id).toBe(id);
    const state = await everything();
    const run = await migrate({ batch: 10 });
    expect(run.articles).toEqual([expect.objectContaining({ id, outcome: "conflict", versions: 0, note: expect.stringContaining("history of its own") })]);
    expect(run.failures).toEqual([]);
    expect(run.checked).toBe(1); // D1's own history, verified
    expect((await everything()).tables).toEqual(state.tables);
    expect((await api("GET", `/api/articles/${id}`)).json).toMatchObject({ versionCount: 1, firstSeenAt: created.json.firstSeenAt });
    expect(await env.REDLINE_KV.get(legacyKeys.version(id, 2))).not.toBeNull(); // the old history stays in KV
  });
});

describe("leftovers of a crashed old check", () => {
  beforeEach(reset);

  it("adopts a next version whose chain link verifies, with its change, and reports what it cannot adopt", async () => {
    const old = new OldDeployment();
    // Died after writing version 3 and its change: adopted with that change.
    let withChange = await old.create(HANI_URL, page(HANI_V1, '"a1"'), "2019-11-19T08:44:00.000Z");
    withChange = await old.newVersion(withChange, page(HANI_V2, '"a2"'), "2019-11-19T12:00:00.000Z");
    await old.newVersion(withChange, page(HANI_V1, '"a3"'), "2019-11-20T09:00:00.000Z", "before-article");
    const leftoverChange = (await old.store.getChange(withChange.id, 3))!;
    // Died after writing version 2 only: adopted with the change the old code's next check would have written.
    let withoutChange = await old.create(YNA_URL, page(YNA_V1, '"b1"'), "2019-11-19T09:00:00.000Z");
    await old.newVersion(withoutChange, page(YNA_V2, '"b2"'), "2019-11-19T10:30:00.000Z", "before-change");
    const leftoverVersion = (await old.store.getVersion(withoutChange.id, 2))!;
    // A version 2 whose link does not verify, and a change 2 beyond the count: reported, not migrated.
    const brokenUrl = "https://www.hani.co.kr/arti/politics/defense/917701.html";
    const broken = await old.create(brokenUrl, page(HANI_V1, '"c1"'), "2019-11-19T08:00:00.000Z");
    await old.newVersion(broken, page(HANI_V2, '"c2"'), "2019-11-19T11:00:00.000Z", "before-article");
    const bad = (await old.store.getVersion(broken.id, 2))!;
    await old.store.putVersion(broken.id, { ...bad, prevRecordSha256: "0".repeat(64) });

    const run = await migrate({ batch: 1 });
    expect(run.failures).toEqual([]);
    const byId = Object.fromEntries(run.articles.map((article) => [article.id, article]));
    expect(byId[withChange.id]).toMatchObject({ outcome: "migrated", versions: 3, changes: 3, adopted: [3] });
    expect(byId[withoutChange.id]).toMatchObject({ outcome: "migrated", versions: 2, changes: 2, adopted: [2] });
    expect(byId[broken.id]).toMatchObject({ outcome: "migrated", versions: 1, changes: 1, adopted: [] });
    expect(run.leftovers.map(({ articleId, kind, n, adopted }) => ({ articleId, kind, n, adopted })).sort((a, b) => a.articleId.localeCompare(b.articleId) || a.kind.localeCompare(b.kind))).toEqual(
      [
        { articleId: withChange.id, kind: "version", n: 3, adopted: true },
        { articleId: withoutChange.id, kind: "version", n: 2, adopted: true },
        { articleId: broken.id, kind: "change", n: 2, adopted: false },
        { articleId: broken.id, kind: "version", n: 2, adopted: false },
      ].sort((a, b) => a.articleId.localeCompare(b.articleId) || a.kind.localeCompare(b.kind)),
    );
    expect(run.leftovers.find((leftover) => leftover.articleId === broken.id && leftover.kind === "version")!.reason).toContain("prevRecordSha256");

    const store = trackerFor(env).store;
    // Adopted with the change the dead check wrote: a revert of version 1.
    expect(await store.getChange(withChange.id, 3)).toEqual(leftoverChange);
    expect(leftoverChange).toMatchObject({ from: 2, to: 3, revertOf: 1 });
    const adoptedHead = (await api("GET", `/api/articles/${withChange.id}`)).json;
    expect(adoptedHead).toMatchObject({ versionCount: 3, title: KOREAN_TITLE, lastChangedAt: "2019-11-20T09:00:00.000Z" });
    const adopted = (await store.getVersion(withChange.id, 3))!;
    // Its validators belonged to version 2's capture: the next check fetches in full.
    expect(await store.getHead(withChange.id)).toMatchObject({ article: { etag: null, lastModified: null, changeCount: 3, latestHash: adopted.contentHash } });
    // Adopted with a computed change, as the old code's next check would have recorded it.
    const previous = (await old.store.getVersion(withoutChange.id, 1))!;
    expect(await store.getChange(withoutChange.id, 2)).toEqual(changeForVersion(withoutChange, previous, leftoverVersion, [], null));
    expect((await api("GET", `/api/articles/${withoutChange.id}/versions/2`)).json).toEqual(leftoverVersion);
    for (const id of [withChange.id, withoutChange.id, broken.id]) expect((await api("GET", `/api/articles/${id}/verify`)).json.ok).toBe(true);
    expect((await api("GET", `/api/articles/${broken.id}`)).json.versionCount).toBe(1);
    expect(await env.REDLINE_KV.get(legacyKeys.version(broken.id, 2))).not.toBeNull();

    // Rerunning adopts nothing twice.
    const state = await everything();
    const again = await migrate({ batch: 1 });
    expect(await everything()).toEqual(state);
    expect(again.articles.map((article) => article.outcome)).toEqual(["already-migrated", "already-migrated", "already-migrated"]);
  });
});
