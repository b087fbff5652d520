/**
 * The whole loop against the fixture replay origin: articles tracked at their first timeline
 * entry and checked at later ones. Every test builds the store it needs from an empty one. What
 * each seed edit is called (kinds, summary, significance) is golden in seed-diffs.test.ts; this
 * file covers everything else a check records and the API shows.
 */
import { beforeEach, describe, expect, it } from "vitest";
import firstRoundV1 from "../fixtures/sites/english.hani.co.kr/911048/v1.expected.json";
import { api, check, freshArticleWithTwoVersions, getRaw, reset, SEED_URLS, serveTimelineEntry, track, walkTimeline } from "./helpers";

beforeEach(async () => {
  await reset();
});

/** The change list of one article, newest first. */
async function changesOf(id: string) {
  return (await api("GET", "/api/changes?limit=100")).json.items.filter((change: { articleId: string }) => change.articleId === id);
}

describe("tracking an article", () => {
  it("takes the first capture at once and records it as `created`", async () => {
    await serveTimelineEntry(SEED_URLS.hankyoreh1stRound, 1);
    const created = await track(SEED_URLS.hankyoreh1stRound);
    expect(created.status).toBe(201);
    const id: string = created.json.id;
    expect(created.headers.get("Location")).toBe(`/api/articles/${id}`);
    expect(created.json).toMatchObject({
      url: SEED_URLS.hankyoreh1stRound,
      site: "english.hani.co.kr",
      title: "S. Korea, US wrap up 1st round of defense cost-sharing negotiations",
      status: "active",
      tracking: true,
      versionCount: 1,
    });
    expect(Date.parse(created.json.nextCheckAt) - Date.parse(created.json.lastCheckedAt)).toBe(15 * 60_000);
    expect(await changesOf(id)).toEqual([
      expect.objectContaining({ id: `${id}-1`, articleId: id, from: null, to: 1, kinds: ["created"], summary: "First capture: 6 paragraphs, 389 words", significance: 1 }),
    ]);
  });

  it("returns the existing article for the same URL, however it is written", async () => {
    await serveTimelineEntry(SEED_URLS.hankyoreh1stRound, 1);
    const id: string = (await track(SEED_URLS.hankyoreh1stRound)).json.id;
    for (const variant of [
      SEED_URLS.hankyoreh1stRound,
      SEED_URLS.hankyoreh1stRound.replace("english.hani.co.kr", "ENGLISH.HANI.CO.KR"),
      `${SEED_URLS.hankyoreh1stRound}?utm_source=twitter&utm_medium=social#comments`,
    ]) {
      const again = await track(variant);
      expect(again.status).toBe(200);
      expect(again.json).toMatchObject({ id, versionCount: 1 });
    }
  });

  it("stores the extracted fields of each version", async () => {
    await serveTimelineEntry(SEED_URLS.hankyoreh1stRound, 1);
    const id: string = (await track(SEED_URLS.hankyoreh1stRound)).json.id;
    const version = (await api("GET", `/api/articles/${id}/versions/1`)).json;
    expect(version).toMatchObject({ n: 1, url: SEED_URLS.hankyoreh1stRound, finalUrl: SEED_URLS.hankyoreh1stRound, httpStatus: 200, ...firstRoundV1 });
    expect(version.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("records an added paragraph and the site's new Modified on timestamp", async () => {
    const id = await freshArticleWithTwoVersions();
    const diff = (await api("GET", `/api/articles/${id}/diff`)).json;
    expect(diff).toMatchObject({ from: 1, to: 2, kinds: ["modified-date", "body"] });
    expect(diff.fields).toEqual({ "modified-date": { before: "2019-09-26T17:10:00+09:00", after: "2019-10-19T20:29:00+09:00" } });
    expect(diff.paragraphs.map((paragraph: { op: string }) => paragraph.op)).toEqual([...Array(6).fill("equal"), "added"]);
    expect(diff.stats).toEqual({
      wordsAdded: 42,
      wordsRemoved: 0,
      paragraphsAdded: 1,
      paragraphsRemoved: 0,
      paragraphsChanged: 0,
      paragraphsMoved: 0,
      sentencesAdded: 1,
      sentencesRemoved: 0,
      sentencesEdited: 0,
      sentencesMoved: 0,
    });
    const reversed = (await api("GET", `/api/articles/${id}/diff?from=2&to=1`)).json;
    expect(reversed.stats).toMatchObject({ wordsAdded: 0, wordsRemoved: 42, paragraphsAdded: 0, paragraphsRemoved: 1 });
  });

  it("renders the same diff as unified text and as an HTML redline, also when asked with Accept", async () => {
    const id = await freshArticleWithTwoVersions();
    const added = (await api("GET", `/api/articles/${id}/versions/2`)).json.paragraphs.at(-1) as string;

    const unified = await getRaw(`/api/articles/${id}/diff?format=unified`);
    expect(unified.headers.get("Content-Type")).toBe("text/plain; charset=UTF-8");
    const text = await unified.text();
    expect(text).toContain("Modified:\n- 2019-09-26T17:10:00+09:00\n+ 2019-10-19T20:29:00+09:00");
    expect(text).toMatch(/^--- version 1\t/m);
    expect(text).toContain(`\n+${added}\n`);
    expect(await (await getRaw(`/api/articles/${id}/diff`, { Accept: "text/plain" })).text()).toBe(text);

    const page = await getRaw(`/api/articles/${id}/diff?format=html`);
    expect(page.headers.get("Content-Type")).toBe("text/html; charset=UTF-8");
    const html = await page.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toContain("<script");
    expect(html).toContain(`<ins>${added.replaceAll("'", "&#39;").replaceAll('"', "&quot;")}</ins>`);
    expect(html).toContain("<dt>Modified</dt><dd><del>2019-09-26T17:10:00+09:00</del> <ins>2019-10-19T20:29:00+09:00</ins></dd>");
    expect(await (await getRaw(`/api/articles/${id}/diff`, { Accept: "text/html,application/xhtml+xml" })).text()).toBe(html);
  });

  it("lists the versions oldest first, each with its hash, headline and modified timestamp", async () => {
    const id = await freshArticleWithTwoVersions();
    const versions = (await api("GET", `/api/articles/${id}/versions`)).json.items;
    const title = "S. Korea, US wrap up 1st round of defense cost-sharing negotiations";
    expect(versions).toEqual([
      { n: 1, capturedAt: expect.any(String), contentHash: expect.stringMatching(/^[0-9a-f]{64}$/), title, modifiedAt: "2019-09-26T17:10:00+09:00" },
      { n: 2, capturedAt: expect.any(String), contentHash: expect.stringMatching(/^[0-9a-f]{64}$/), title, modifiedAt: "2019-10-19T20:29:00+09:00" },
    ]);
  });

  it("stores nothing when the page has not changed", async () => {
    const id = await freshArticleWithTwoVersions();
    const { json } = await check(id);
    expect(json).toMatchObject({ changed: false, outcome: "unchanged", status: "active", version: { n: 2 }, change: null, error: null, article: { versionCount: 2 } });
    expect((await api("GET", `/api/articles/${id}/versions`)).json.items).toHaveLength(2);
    expect(await changesOf(id)).toHaveLength(2);
  });

  it("keeps the history readable after tracking stops, and resumes on request", async () => {
    const id = await freshArticleWithTwoVersions();
    const stopped = await api("DELETE", `/api/articles/${id}`);
    expect(stopped.json).toMatchObject({ tracking: false, nextCheckAt: null, versionCount: 2 });
    expect((await api("GET", `/api/articles/${id}/versions/2`)).status).toBe(200);
    expect((await check(id)).status).toBe(409);
    const resumed = await track(SEED_URLS.hankyoreh1stRound);
    expect(resumed.status).toBe(200);
    expect(resumed.json).toMatchObject({ tracking: true, versionCount: 2 });
  });
});

describe("what the seed timelines record beside their diffs", () => {
  it("keeps the rewritten headline as the article's title (The Hankyoreh)", async () => {
    const { id } = await walkTimeline(SEED_URLS.hankyoreh3rdRound);
    expect((await api("GET", `/api/articles/${id}`)).json).toMatchObject({
      title: "US unilaterally halts 3rd round of defense cost-sharing negotiations",
      versionCount: 4,
    });
  });

  it("records the URL the redirects ended at, with no new version for the same text (GlobalSecurity)", async () => {
    const { id, steps } = await walkTimeline(SEED_URLS.globalSecurity);
    expect(steps.map(({ outcome, version, finalUrl }) => ({ outcome, version, finalUrl }))).toEqual([
      { outcome: "new-version", version: 2, finalUrl: SEED_URLS.globalSecurity },
      { outcome: "relocated", version: 2, finalUrl: SEED_URLS.globalSecurity.replace(/\.htm$/, ".html") },
    ]);
    expect((await changesOf(id))[0]).toMatchObject({ from: 2, to: 2, kinds: ["final-url"] });
  });

  it("removes a page on its second 404 and restores it when it returns, keeping its versions (The Standard)", async () => {
    const { id, steps } = await walkTimeline(SEED_URLS.theStandard);
    expect(steps.map(({ outcome, changed, status }) => ({ outcome, changed, status }))).toEqual([
      { outcome: "missing", changed: false, status: "active" },
      { outcome: "removed", changed: true, status: "removed" },
      { outcome: "restored", changed: true, status: "active" },
    ]);
    expect((await api("GET", `/api/articles/${id}/versions`)).json.items).toHaveLength(1);
    expect((await changesOf(id)).map(({ from, to, kinds }: { from: number | null; to: number | null; kinds: string[] }) => ({ from, to, kinds }))).toEqual([
      { from: 1, to: 1, kinds: ["restored"] },
      { from: 1, to: null, kinds: ["removed"] },
      { from: null, to: 1, kinds: ["created"] },
    ]);
  });
});

describe("a page that goes back to an earlier text (A → B → A)", () => {
  /** Yonhap's stealth edit, then the first text again; returns the article's id. */
  async function reverted(): Promise<string> {
    const { id } = await walkTimeline(SEED_URLS.yonhap);
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    return id;
  }

  it("is a `revert` in the change record and in the diff between the same two versions, in every rendering", async () => {
    const id = await reverted();
    const { json } = await check(id);
    expect(json).toMatchObject({ changed: true, outcome: "new-version", version: { n: 3 } });
    const change = json.change;
    expect(change).toMatchObject({
      from: 2,
      to: 3,
      revertOf: 1,
      kinds: ["body", "numbers-changed", "stealth-edit", "revert"],
      summary: "Reverted to version 1; Text changed without a new modified timestamp (stealth edit): 1 sentence edited (figures changed); +1/−1 words",
      significance: 0.63,
    });
    const listed = (await api("GET", "/api/changes?limit=1")).json.items[0];
    expect(listed).toMatchObject({ id: change.id, kinds: change.kinds, summary: change.summary, significance: change.significance });

    const diff = (await api("GET", `/api/articles/${id}/diff?from=2&to=3`)).json;
    expect(diff).toMatchObject({ from: 2, to: 3, kinds: change.kinds, revertOf: 1, summary: change.summary, significance: change.significance });
    expect((await api("GET", `/api/articles/${id}/diff`)).json).toEqual(diff);

    const unified = await (await getRaw(`/api/articles/${id}/diff?from=2&to=3&format=unified`)).text();
    expect(unified).toContain(`\nSummary: ${change.summary}\nSignificance 0.63 · body, numbers-changed, stealth-edit, revert\n`);
    const html = await (await getRaw(`/api/articles/${id}/diff?from=2&to=3&format=html`)).text();
    expect(html).toContain(`: ${change.summary.replaceAll("'", "&#39;")}</p>\n<p>Significance 0.63 · body, numbers-changed, stealth-edit, revert</p>`);
  });

  it("is no revert in a diff backwards in time, nor in one to a version that repeats none", async () => {
    const id = await reverted();
    await check(id);
    expect((await api("GET", `/api/articles/${id}/diff?from=3&to=2`)).json.kinds).toEqual(["body", "numbers-changed", "stealth-edit"]);
    expect((await api("GET", `/api/articles/${id}/diff?from=1&to=2`)).json).not.toHaveProperty("revertOf");
  });
});

describe("listing", () => {
  /** The five seed articles at their first versions, tracked in SEED_URLS order; returns their ids. */
  async function trackAllSeeds(): Promise<string[]> {
    const ids: string[] = [];
    for (const url of Object.values(SEED_URLS)) {
      await serveTimelineEntry(url, 1);
      ids.push((await track(url)).json.id);
    }
    return ids;
  }

  it("pages through articles with a cursor", async () => {
    const ids = await trackAllSeeds();
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/articles?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = (await api("GET", path)).json;
      pages.push(page.items.map((article: { id: string }) => article.id));
      cursor = page.cursor;
    } while (cursor);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat().sort()).toEqual([...ids].sort());
  });

  it("lists changes newest first, with since and a cursor", async () => {
    const ids = await trackAllSeeds();
    const all = (await api("GET", "/api/changes?limit=100")).json;
    expect(all.cursor).toBeNull();
    expect(all.items.map((change: { id: string }) => change.id)).toEqual(ids.map((id) => `${id}-1`).reverse());
    for (const item of all.items) {
      expect(Object.keys(item).sort()).toEqual(["articleId", "detectedAt", "from", "id", "kinds", "significance", "summary", "title", "to", "url"]);
    }

    const firstPage = (await api("GET", "/api/changes?limit=3")).json;
    expect(firstPage.items).toEqual(all.items.slice(0, 3));
    const secondPage = (await api("GET", `/api/changes?limit=3&cursor=${encodeURIComponent(firstPage.cursor)}`)).json;
    expect(secondPage).toEqual({ items: all.items.slice(3), cursor: null });

    const since = all.items[2].detectedAt;
    expect((await api("GET", `/api/changes?since=${encodeURIComponent(since)}&limit=100`)).json).toEqual({ items: all.items.slice(0, 3), cursor: null });
  });

  it("reports counts, no dispatch yet and no queued checks in /api/status", async () => {
    await trackAllSeeds();
    expect((await api("GET", "/api/status")).json).toEqual({
      articles: { total: 5, tracking: 5, active: 5, removed: 0, failing: 0, blocked: 0, retired: 0 },
      sources: { total: 0, active: 0, failing: 0, paused: 0 },
      versions: 5,
      changes: 5,
      lastDispatch: null,
      checks: { completedLastHour: {}, completedLast24h: {}, deadLettered: 0, lastDeadLetter: null },
      lastCronRun: null,
    });
  });
});
