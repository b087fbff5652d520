/**
 * The whole loop against the fixture replay origin: each seed article is tracked at its first
 * timeline entry, then walked through its edits with manual checks.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, check, getRaw, SEED_URLS, serveTimelineEntry, track, versionTimes, walkTimeline, reset } from "./helpers";

beforeAll(async () => {
  await reset();
});

describe("tracking an article", () => {
  let id: string;

  it("takes the first capture at once and records it as `created`", async () => {
    await serveTimelineEntry(SEED_URLS.hankyoreh1stRound, 1);
    const created = await track(SEED_URLS.hankyoreh1stRound);
    expect(created.status).toBe(201);
    expect(created.headers.get("Location")).toBe(`/api/articles/${created.json.id}`);
    id = created.json.id;
    expect(created.json).toMatchObject({
      url: SEED_URLS.hankyoreh1stRound,
      site: "english.hani.co.kr",
      title: "S. Korea, US wrap up 1st round of defense cost-sharing negotiations",
      status: "active",
      tracking: true,
      versionCount: 1,
    });
    expect(Date.parse(created.json.nextCheckAt) - Date.parse(created.json.lastCheckedAt)).toBe(15 * 60_000);

    const changes = (await api("GET", "/api/changes")).json.items;
    expect(changes[0]).toMatchObject({ id: `${id}-1`, articleId: id, from: null, to: 1, kinds: ["created"] });
    expect(changes[0].summary).toMatch(/First capture/);
  });

  it("returns the existing article for the same URL, however it is written", async () => {
    for (const variant of [
      SEED_URLS.hankyoreh1stRound,
      SEED_URLS.hankyoreh1stRound.replace("english.hani.co.kr", "ENGLISH.HANI.CO.KR"),
      `${SEED_URLS.hankyoreh1stRound}?utm_source=twitter&utm_medium=social#comments`,
    ]) {
      const again = await track(variant);
      expect(again.status).toBe(200);
      expect(again.json.id).toBe(id);
      expect(again.json.versionCount).toBe(1);
    }
  });

  it("stores the extracted fields of each version", async () => {
    const version = (await api("GET", `/api/articles/${id}/versions/1`)).json;
    expect(version).toMatchObject({
      n: 1,
      url: SEED_URLS.hankyoreh1stRound,
      finalUrl: SEED_URLS.hankyoreh1stRound,
      httpStatus: 200,
      byline: "Noh Ji-won",
      publishedAt: "2019-09-26T17:10:00+09:00",
    });
    expect(version.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(version.paragraphs.join("\n")).toContain("Teams of negotiators from South Korea and the US wrapped up their first meeting");
    expect(version.paragraphs.join("\n")).not.toMatch(/Most viewed|Please direct comments/);
  });

  it("records an added paragraph and the site's new Modified on timestamp", async () => {
    await serveTimelineEntry(SEED_URLS.hankyoreh1stRound, 2);
    const { json } = await check(id);
    expect(json).toMatchObject({ changed: true, outcome: "new-version", status: "active", version: { n: 2 } });
    expect(json.change.kinds).toEqual(expect.arrayContaining(["modified-date", "body"]));
    expect(json.change.kinds).not.toContain("stealth-edit");

    const diff = (await api("GET", `/api/articles/${id}/diff`)).json;
    expect(diff).toMatchObject({ from: 1, to: 2 });
    expect(diff.fields["modified-date"]).toEqual({ before: "2019-09-26T17:10:00+09:00", after: "2019-10-19T20:29:00+09:00" });
    expect(diff.stats.paragraphsAdded).toBeGreaterThanOrEqual(1);
    expect(diff.stats.wordsAdded).toBeGreaterThan(10);
    expect(diff.paragraphs.some((p: { op: string }) => p.op === "added")).toBe(true);

    const explicit = (await api("GET", `/api/articles/${id}/diff?from=2&to=1`)).json;
    expect(explicit.stats.paragraphsRemoved).toBe(diff.stats.paragraphsAdded);

    const added = diff.paragraphs.find((p: { op: string }) => p.op === "added").text as string;
    const unified = await getRaw(`/api/articles/${id}/diff?format=unified`);
    expect(unified.headers.get("Content-Type")).toMatch(/^text\/plain/);
    const text = await unified.text();
    expect(text).toContain("Modified:\n- 2019-09-26T17:10:00+09:00\n+ 2019-10-19T20:29:00+09:00");
    expect(text).toMatch(/^--- version 1\t/m);
    expect(text).toContain(`\n+${added}\n`);
    expect(await (await getRaw(`/api/articles/${id}/diff`, { Accept: "text/plain" })).text()).toBe(text);

    const page = await getRaw(`/api/articles/${id}/diff?format=html`);
    expect(page.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toContain("<script");
    expect(html).toContain(`<ins>${added.replaceAll("'", "&#39;").replaceAll('"', "&quot;")}</ins>`);
    expect(html).toContain("<dt>Modified</dt><dd><del>2019-09-26T17:10:00+09:00</del> <ins>2019-10-19T20:29:00+09:00</ins></dd>");
    expect((await getRaw(`/api/articles/${id}/diff`, { Accept: "text/html,application/xhtml+xml" })).headers.get("Content-Type")).toMatch(/^text\/html/);

    const versions = (await api("GET", `/api/articles/${id}/versions`)).json.items;
    expect(versions.map((v: { n: number }) => v.n)).toEqual([1, 2]);
    expect(versions[1]).toEqual({
      n: 2,
      capturedAt: expect.any(String),
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      title: "S. Korea, US wrap up 1st round of defense cost-sharing negotiations",
      modifiedAt: "2019-10-19T20:29:00+09:00",
    });
  });

  it("stores nothing when the page has not changed", async () => {
    const { json } = await check(id);
    expect(json).toMatchObject({ changed: false, outcome: "unchanged", change: null, version: { n: 2 } });
    expect((await api("GET", `/api/articles/${id}`)).json.versionCount).toBe(2);
  });

  it("keeps the history readable after tracking stops, and resumes on request", async () => {
    const stopped = await api("DELETE", `/api/articles/${id}`);
    expect(stopped.json).toMatchObject({ tracking: false, nextCheckAt: null, versionCount: 2 });
    expect((await api("GET", `/api/articles/${id}/versions/2`)).status).toBe(200);
    expect((await check(id)).status).toBe(409);
    const resumed = await track(SEED_URLS.hankyoreh1stRound);
    expect(resumed.status).toBe(200);
    expect(resumed.json).toMatchObject({ tracking: true, versionCount: 2 });
  });
});

describe("every change kind, on the seed articles' timelines", () => {
  it("a headline rewrite, and a change of the modified timestamp alone (The Hankyoreh)", async () => {
    const { steps } = await walkTimeline(SEED_URLS.hankyoreh3rdRound);
    const headline = steps.find((s) => s.kinds.includes("title"));
    expect(headline?.kinds).toEqual(expect.arrayContaining(["title", "modified-date"]));
    const timestampOnly = steps.find((s) => s.kinds.includes("timestamp-only"));
    expect(timestampOnly?.kinds).toEqual(["modified-date", "timestamp-only"]);
    const last = (await api("GET", `/api/articles/${(await track(SEED_URLS.hankyoreh3rdRound)).json.id}`)).json;
    expect(last.title).toBe("US unilaterally halts 3rd round of defense cost-sharing negotiations");
  });

  it("a stealth edit: the text changed, the site's timestamp did not (Yonhap)", async () => {
    const { steps } = await walkTimeline(SEED_URLS.yonhap);
    const stealth = steps.find((s) => s.kinds.includes("stealth-edit"));
    expect(stealth?.kinds).toEqual(expect.arrayContaining(["body", "stealth-edit"]));
    expect(stealth?.kinds).not.toContain("modified-date");
  });

  it("a page that goes back to an earlier text is a `revert`, kept as a version of its own (Yonhap, after the stealth edit)", async () => {
    const id = (await track(SEED_URLS.yonhap)).json.id;
    const before = (await api("GET", `/api/articles/${id}/versions`)).json.items;
    expect(before.length).toBeGreaterThanOrEqual(2);
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const { json } = await check(id);
    expect(json).toMatchObject({ changed: true, outcome: "new-version", version: { n: before.length + 1, contentHash: before[0].contentHash } });
    expect(json.change).toMatchObject({ from: before.length, to: before.length + 1, revertOf: 1 });
    expect(json.change.kinds).toEqual(expect.arrayContaining(["body", "revert"]));
    expect(json.change.summary).toMatch(/^Reverted to version 1; /);
    const feedItem = (await api("GET", "/api/changes?limit=1")).json.items[0];
    expect(feedItem).toMatchObject({ id: json.change.id, kinds: json.change.kinds });
  });

  it("a redirect: the final URL is recorded (GlobalSecurity)", async () => {
    const { steps } = await walkTimeline(SEED_URLS.globalSecurity);
    expect(steps.some((s) => s.finalUrl !== null && s.finalUrl !== SEED_URLS.globalSecurity)).toBe(true);
    expect(steps.every((s) => s.outcome !== "failed")).toBe(true);
  });

  it("a page that disappears is `removed` on the second 404 and `restored` when it returns (The Standard)", async () => {
    const { id, steps } = await walkTimeline(SEED_URLS.theStandard);
    const firstMiss = steps.findIndex((s) => s.outcome === "missing");
    expect(firstMiss).toBeGreaterThanOrEqual(0);
    expect(steps[firstMiss]).toMatchObject({ changed: false, status: "active", kinds: [] });
    expect(steps[firstMiss + 1]).toMatchObject({ outcome: "removed", changed: true, status: "removed", kinds: ["removed"] });
    const restored = steps.find((s) => s.outcome === "restored");
    expect(restored).toMatchObject({ changed: true, status: "active" });
    expect(restored?.kinds).toContain("restored");

    const versions = (await api("GET", `/api/articles/${id}/versions`)).json.items;
    expect(versions.length).toBeGreaterThanOrEqual(1);
    const removedChange = (await api("GET", "/api/changes?limit=100")).json.items.find(
      (c: { articleId: string; kinds: string[] }) => c.articleId === id && c.kinds.includes("removed"),
    );
    expect(removedChange).toMatchObject({ to: null, from: versions.length });
    expect(removedChange.summary).toMatch(/404|410/);
  });
});

describe("listing", () => {
  it("pages through articles with a cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/articles?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = (await api("GET", path)).json;
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((a: { id: string }) => a.id));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it("lists changes newest first, with since and a cursor", async () => {
    const all = (await api("GET", "/api/changes?limit=100")).json;
    expect(all.cursor).toBeNull();
    const times = all.items.map((c: { detectedAt: string }) => Date.parse(c.detectedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const item of all.items) {
      expect(Object.keys(item).sort()).toEqual(["articleId", "detectedAt", "from", "id", "kinds", "significance", "summary", "title", "to", "url"]);
    }

    const firstPage = (await api("GET", "/api/changes?limit=3")).json;
    expect(firstPage.items).toEqual(all.items.slice(0, 3));
    const secondPage = (await api("GET", `/api/changes?limit=3&cursor=${encodeURIComponent(firstPage.cursor)}`)).json;
    expect(secondPage.items).toEqual(all.items.slice(3, 6));

    const since = all.items[2].detectedAt;
    const recent = (await api("GET", `/api/changes?since=${encodeURIComponent(since)}&limit=100`)).json;
    expect(recent.items.every((c: { detectedAt: string }) => c.detectedAt >= since)).toBe(true);
    expect(recent.items.length).toBeGreaterThanOrEqual(3);
    expect(recent.cursor).toBeNull();
  });

  it("reports counts and the last cron run in /api/status", async () => {
    const status = (await api("GET", "/api/status")).json;
    expect(status.articles.total).toBe(5);
    expect(status.articles.active + status.articles.removed + status.articles.failing).toBe(5);
    expect(status.versions).toBeGreaterThanOrEqual(9);
    expect(status.changes).toBeGreaterThanOrEqual(status.versions);
  });
});
