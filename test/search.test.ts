/**
 * GET /api/search over every stored version (migrations/0005_search.sql): versions captured
 * through the real check path against the replay origin, found right after their commit; the
 * tokenizer findings FTS5 gives in workerd's D1; and what indexing adds to a commit.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { ChangeHit, VersionHit } from "../src/api/search";
import { articleIdFor } from "../src/fetching/url";
import { checkArticle, trackerFor, trackNewArticle } from "../src/tracking";
import { adHocOrigin, answerWith } from "./ad-hoc-origin";
import { api, check, HOSTILE_URL, instrumented, reset, SEED_URLS, serveTimelineEntry, setReplayClock, track, trackFirst } from "./helpers";

const KOREAN_URL = "https://fixtures.redline.test/charset/euc-kr-meta.html";


async function search(query: string): Promise<{ status: number; items: VersionHit[]; cursor: string | null; json: { detail?: string } }> {
  const response = await api("GET", `/api/search?${query}`, { headers: {} });
  return { status: response.status, items: response.json?.items ?? [], cursor: response.json?.cursor ?? null, json: response.json };
}

const q = (text: string, extra = "") => `q=${encodeURIComponent(text)}${extra}`;
const sentence = (hit: VersionHit) => hit.snippet.map((part) => part.text).join("");
const matched = (hit: VersionHit) => hit.snippet.filter((part) => part.match).map((part) => part.text);

describe("FTS5's tokenizers in workerd's D1, on Korean and English (why version_search is unicode61 plus Hangul grams)", () => {
  const TEXT = "방위비분담금 협상이 결렬됐다. The top U.S. negotiator in defense cost-sharing talks demanded a five-fold increase.";
  const counts = async (tokenizer: string, queries: string[]) => {
    await env.DB.exec(`CREATE VIRTUAL TABLE probe USING fts5(body, tokenize='${tokenizer}')`);
    await env.DB.prepare("INSERT INTO probe (body) VALUES (?)").bind(TEXT).run();
    const found: Record<string, number | string> = {};
    for (const query of queries) {
      try {
        found[query] = ((await env.DB.prepare("SELECT count(*) AS c FROM probe WHERE probe MATCH ?").bind(query).first<{ c: number }>())?.c as number) ?? 0;
      } catch (error) {
        found[query] = "error";
      }
    }
    await env.DB.exec("DROP TABLE probe");
    return found;
  };
  const QUERIES = ["방위비", "분담금", "협상", "방위비*", "협상*", '"five-fold"', "five-fold", '"cost-sharing talks"', "negotiat*", "negotiat"];

  it("unicode61 finds English words, phrases and prefixes, but a Korean word only whole or by its start (방위비*, 협상*)", async () => {
    expect(await counts("unicode61", QUERIES)).toEqual({
      방위비: 0, 분담금: 0, 협상: 0, "방위비*": 1, "협상*": 1, '"five-fold"': 1, "five-fold": "error", '"cost-sharing talks"': 1, "negotiat*": 1, negotiat: 0,
    });
  });

  it("trigram finds any substring of three characters or more (방위비, 분담금, negotiat) but nothing of two (협상)", async () => {
    expect(await counts("trigram", QUERIES)).toEqual({
      방위비: 1, 분담금: 1, 협상: 0, "방위비*": 1, "협상*": 0, '"five-fold"': 1, "five-fold": "error", '"cost-sharing talks"': 1, "negotiat*": 1, negotiat: 1,
    });
  });
});

describe("GET /api/search", () => {
  let yonhap = "";
  let hostile = "";
  let korean = "";
  let hankyoreh = "";

  beforeAll(async () => {
    await reset();
    yonhap = await trackFirst(SEED_URLS.yonhap);
    hankyoreh = await trackFirst(SEED_URLS.hankyoreh1stRound);
    await setReplayClock("2019-01-01T00:00:00Z");
    hostile = (await track(HOSTILE_URL)).json.id;
    korean = (await track(KOREAN_URL)).json.id;
    await env.DB.prepare("INSERT INTO article_sources (article_id, source_id, source_url, found_at) VALUES (?, ?, ?, ?)")
      .bind(hankyoreh, "00000000000000aa", "https://english.hani.co.kr/rss", "2019-11-20T00:00:00Z")
      .run();
  });

  it("finds a version's text right after its capture, with the matching sentence marked", async () => {
    const { status, items } = await search(q("six-fold"));
    expect(status).toBe(200);
    expect(items).toHaveLength(1);
    const [hit] = items;
    expect(hit).toMatchObject({ articleId: yonhap, url: SEED_URLS.yonhap, n: 1 });
    expect(hit!.title).toContain("negotiator");
    expect(Date.parse(hit!.capturedAt)).not.toBeNaN();
    expect(sentence(hit!)).toMatch(/^SEOUL, Dec\. 18 \(Yonhap\) -- The top U\.S\. negotiator .* six-fold increase .* troops here\.$/);
    expect(matched(hit!)).toEqual(["six-fold"]);
  });

  it("finds a later version's new words under that version's n: the Yonhap stealth edit, five-fold in v2 and six-fold in v1", async () => {
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    expect((await check(yonhap)).json.version?.n).toBe(2);
    expect((await search(q("five-fold"))).items.map((hit) => [hit.articleId, hit.n])).toEqual([[yonhap, 2]]);
    expect((await search(q("six-fold"))).items.map((hit) => [hit.articleId, hit.n])).toEqual([[yonhap, 1]]);
    expect(matched((await search(q("five-fold"))).items[0]!)).toEqual(["five-fold"]);
  });

  it("answers phrase and prefix queries: \"cost-sharing talks\", negotiat*, and not a bare word's middle", async () => {
    const phrase = await search(q('"cost-sharing talks"', "&sort=time"));
    expect(phrase.items.map((hit) => [hit.articleId, hit.n])).toEqual([[yonhap, 2], [yonhap, 1]]);
    expect(matched(phrase.items[0]!)).toEqual(["cost-sharing talks"]);
    const prefix = await search(q("negotiat*"));
    expect(new Set(prefix.items.map((hit) => hit.articleId))).toEqual(new Set([yonhap, hankyoreh]));
    expect(matched(prefix.items.find((hit) => hit.articleId === yonhap)!)[0]).toBe("negotiator");
    expect((await search(q("egotiat*"))).items).toEqual([]);
  });

  it("finds Korean substrings of two syllables or more inside words (방위비, 분담금, 협상, 분담특별), marked in the sentence", async () => {
    for (const term of ["방위비", "분담금", "협상", "분담특별"]) {
      const { status, items } = await search(q(term));
      expect(status, term).toBe(200);
      expect(items.map((hit) => [hit.articleId, hit.n]), term).toEqual([[korean, 1]]);
      expect(matched(items[0]!), term).toContain(term);
    }
    const [hit] = (await search(q("분담특별"))).items;
    expect(sentence(hit!)).toBe("한국과 미국의 제11차 방위비분담특별협정(SMA) 3차 협상이 19일 미국 쪽의 일방적인 협상 중단으로 파행했다.");
    expect((await search(q("분담특별협상"))).items).toEqual([]);
    expect((await search(q("방위비*"))).items).toHaveLength(1);
    expect((await search(q("방위비 AND SMA"))).items).toHaveLength(1);
    // A number written against Hangul is one unicode61 token with it: 50억달러 is found as 억달러, not as 50 AND 억달러.
    expect((await search(q("50억달러"))).items).toEqual([]);
    expect((await search(q("억달러"))).items).toHaveLength(1);
  });

  it("filters by site, by source (article_sources), by capture time", async () => {
    expect((await search(q("negotiat*", "&site=english.hani.co.kr"))).items.map((hit) => hit.articleId)).toEqual([hankyoreh]);
    expect((await search(q("negotiat*", "&source=00000000000000aa"))).items.map((hit) => hit.articleId)).toEqual([hankyoreh]);
    expect((await search(q("negotiat*", "&source=00000000000000bb"))).items).toEqual([]);
    const v2 = (await search(q("five-fold"))).items[0]!;
    expect((await search(q('"cost-sharing talks"', `&from=${v2.capturedAt}`))).items.map((hit) => hit.n)).toEqual([2]);
    expect((await search(q('"cost-sharing talks"', `&to=${new Date(Date.parse(v2.capturedAt) - 1).toISOString()}`))).items.map((hit) => hit.n)).toEqual([1]);
  });

  it("sorts by relevance (bm25) by default and newest first with sort=time, and pages with the cursor", async () => {
    const byTime = await search(q("negotiat*", "&sort=time"));
    const times = byTime.items.map((hit) => hit.capturedAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(byTime.items).toHaveLength(3);
    for (const sort of ["time", "relevance"]) {
      const all = (await search(q("negotiat*", `&sort=${sort}`))).items.map((hit) => `${hit.articleId}/${hit.n}`);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await search(q("negotiat*", `&sort=${sort}&limit=1${cursor ? `&cursor=${cursor}` : ""}`));
        expect(page.items.length, sort).toBe(1);
        seen.push(...page.items.map((hit) => `${hit.articleId}/${hit.n}`));
        cursor = page.cursor;
      } while (cursor);
      expect(seen, sort).toEqual(all);
    }
    const relevance = (await search(q("five-fold OR negotiat*"))).items;
    expect(relevance[0]).toMatchObject({ articleId: yonhap, n: 2 });
  });

  it("answers 400 problem+json, never 500, for a missing q, a query FTS5 rejects, a bad sort or cursor", async () => {
    for (const [query, detail] of [
      ["", /`q` is required/],
      ["q=%20", /`q` is required/],
      [q("AND"), /not a search FTS5 understands \(fts5: syntax error near "AND"\)/],
      [q('"unterminated'), /not a search FTS5 understands \(unterminated string\)/],
      [q("nosuch:word"), /not a search FTS5 understands \(no such column: nosuch\)/],
      [q("("), /not a search FTS5 understands/],
      [q("talks", "&sort=newest"), /`sort` must be relevance or time/],
      [q("talks", "&cursor=nonsense"), /`cursor` was not made by a search sorted by relevance/],
      [q("talks", "&from=2019-02-30"), /`from` must be an ISO 8601 date/],
      [q("talks", "&source=xyz"), /`source` must be a source id/],
    ] as const) {
      const response = await api("GET", `/api/search?${query}`, { headers: {} });
      expect(response.status, query).toBe(400);
      expect(response.headers.get("Content-Type"), query).toBe("application/problem+json");
      expect(response.json.detail, query).toMatch(detail);
    }
  });

  it("returns a snippet holding markup as text parts, never as HTML", async () => {
    const response = await api("GET", `/api/search?${q("review")}`, { headers: {} });
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    const [hit] = response.json.items as VersionHit[];
    expect(hit!.articleId).toBe(hostile);
    expect(hit!.snippet).toEqual([
      { text: "The city council met on Monday to ", match: false },
      { text: "review", match: true },
      { text: ' the <script>alert("v1")</script> budget for next year, officials said in a statement released after the session.', match: false },
    ]);
    // The headline comes first in the indexed body: its sentence is the snippet when it matches.
    expect((await search(q("script"))).items[0]!.snippet).toEqual([
      { text: 'Council "reviews" <', match: false },
      { text: "script", match: true },
      { text: '>alert("headline")</', match: false },
      { text: "script", match: true },
      { text: "> budget", match: false },
    ]);
  });
});


/** A Korean article edited between two captures (served by a fetch spy): the second drops 강하게 from its second sentence. */
const KOREAN_EDIT_URL = "https://fixtures.redline.test/ko/edit.html";
const koreanPage = (second: string) => `<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>방위비 협상 결렬</title></head><body><article>
  <h1>방위비 협상 결렬</h1>
  <p>한국과 미국의 제11차 방위비분담특별협정 협상이 19일 미국 쪽의 일방적인 협상 중단으로 파행했다. ${second}</p>
  <p>정은보 방위비분담협상대사는 서울 한국국방연구원에서 열린 협상이 끝난 뒤 브리핑에서 미국 쪽이 먼저 자리를 떴다고 밝혔다. 다음 협상 일정은 아직 정해지지 않았다.</p>
  <p>미국은 올해 분담금의 다섯 배가 넘는 금액을 요구한 것으로 알려졌다. 한국 정부는 합리적이고 공평한 분담이라는 원칙을 지키겠다는 입장이며, 양국은 연내 타결을 목표로 협상을 이어갈 계획이다.</p>
</article></body></html>`;

describe("GET /api/search?in=added|removed: what each change added and removed (change_search)", () => {
  let yonhap = "";
  let hankyoreh = "";
  let korean = "";
  let yonhapDetectedAt = "";

  const changes = async (query: string): Promise<{ status: number; items: ChangeHit[]; cursor: string | null }> => {
    const response = await search(query);
    return { status: response.status, items: response.items as unknown as ChangeHit[], cursor: response.cursor };
  };
  const named = (hits: ChangeHit[]) => hits.map((hit) => `${hit.articleId}/${hit.seq}`);

  beforeAll(async () => {
    await reset();
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    yonhap = (await track(SEED_URLS.yonhap)).json.id;
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    const edit = (await check(yonhap)).json;
    expect(edit.version?.n).toBe(2);
    yonhapDetectedAt = edit.change.detectedAt;
    await serveTimelineEntry(SEED_URLS.hankyoreh1stRound, 1);
    hankyoreh = (await track(SEED_URLS.hankyoreh1stRound)).json.id;
    await serveTimelineEntry(SEED_URLS.hankyoreh1stRound, 2);
    expect((await check(hankyoreh)).json.version?.n).toBe(2);
    const origin = adHocOrigin();
    origin.serve(KOREAN_EDIT_URL, answerWith(koreanPage("미국은 방위비 인상을 강하게 요구했다."), "text/html; charset=utf-8"));
    korean = (await track(KOREAN_EDIT_URL)).json.id;
    origin.serve(KOREAN_EDIT_URL, answerWith(koreanPage("미국은 방위비 인상을 요구했다."), "text/html; charset=utf-8"));
    expect((await check(korean)).json.version?.n).toBe(2);
    vi.restoreAllMocks();
  });

  it("finds the Yonhap stealth edit's old wording with in=removed and its new wording with in=added, naming the change and its redline", async () => {
    const removed = await changes(q("six-fold", "&in=removed"));
    expect(removed.status).toBe(200);
    expect(removed.items).toHaveLength(1);
    const [hit] = removed.items;
    expect(hit).toMatchObject({
      articleId: yonhap,
      url: SEED_URLS.yonhap,
      changeId: `${yonhap}-2`,
      seq: 2,
      from: 1,
      to: 2,
      detectedAt: yonhapDetectedAt,
      redline: `/articles/${yonhap}/diff/1..2`,
    });
    expect(hit!.title).toContain("negotiator");
    expect(sentence(hit as unknown as VersionHit)).toMatch(/^SEOUL, Dec\. 18 \(Yonhap\) -- The top U\.S\. negotiator .* six-fold increase .* troops here\.$/);
    expect(matched(hit as unknown as VersionHit)).toEqual(["six-fold"]);
    const added = await changes(q("five-fold", "&in=added"));
    expect(named(added.items)).toEqual([`${yonhap}/2`]);
    expect(matched(added.items[0] as unknown as VersionHit)).toEqual(["five-fold"]);
    expect((await changes(q("five-fold", "&in=removed"))).items).toEqual([]);
    expect((await changes(q("six-fold", "&in=added"))).items).toEqual([]);
    // in=text (the default) searches every version: each wording under the version that held it.
    expect((await search(q("six-fold", "&in=text"))).items.map((hit) => hit.n)).toEqual([1]);
    expect((await search(q("five-fold", "&in=text"))).items.map((hit) => hit.n)).toEqual([2]);
  });

  it("does not count the words an edited sentence kept as added or removed", async () => {
    expect((await search(q("negotiator", "&in=text"))).items.map((hit) => hit.n).sort()).toEqual([1, 2]);
    expect((await changes(q("negotiator", "&in=removed"))).items).toEqual([]);
    expect((await changes(q("negotiator", "&in=added"))).items).toEqual([]);
    expect(named((await changes(q('"six-fold increase"', "&in=removed"))).items)).toEqual([`${yonhap}/2`]);
  });

  it("finds a Korean word an edit dropped, inside its sentence, and not the words it kept", async () => {
    const dropped = await changes(q("강하게", "&in=removed"));
    expect(named(dropped.items)).toEqual([`${korean}/2`]);
    expect(sentence(dropped.items[0] as unknown as VersionHit)).toBe("미국은 방위비 인상을 강하게 요구했다.");
    expect(matched(dropped.items[0] as unknown as VersionHit)).toEqual(["강하게"]);
    expect((await changes(q("강하게", "&in=added"))).items).toEqual([]);
    expect((await changes(q("인상", "&in=removed"))).items).toEqual([]);
    expect((await changes(q("방위비", "&in=added"))).items).toEqual([]);
  });

  it("filters changes by site, source and detection time, sorts them and pages with the cursor", async () => {
    // Both edits added these: the Yonhap one five-fold, The Hankyoreh's a sentence on an alliance "more robust than ever".
    const both = "five-fold OR robust";
    const all = (await changes(q(both, "&in=added&sort=time"))).items;
    expect(new Set(named(all))).toEqual(new Set([`${yonhap}/2`, `${hankyoreh}/2`]));
    expect(all.map((hit) => hit.detectedAt)).toEqual([...all.map((hit) => hit.detectedAt)].sort().reverse());
    expect(named((await changes(q(both, "&in=added&site=en.yna.co.kr"))).items)).toEqual([`${yonhap}/2`]);
    await env.DB.prepare("INSERT INTO article_sources (article_id, source_id, source_url, found_at) VALUES (?, ?, ?, ?)")
      .bind(hankyoreh, "00000000000000aa", "https://english.hani.co.kr/rss", "2019-09-26T00:00:00Z")
      .run();
    expect(named((await changes(q(both, "&in=added&source=00000000000000aa"))).items)).toEqual([`${hankyoreh}/2`]);
    // The Hankyoreh's edit was detected after Yonhap's (each at its check).
    const later = all.find((hit) => hit.articleId === hankyoreh)!.detectedAt;
    expect(named((await changes(q(both, `&in=added&from=${later}`))).items)).toEqual([`${hankyoreh}/2`]);
    expect(named((await changes(q(both, `&in=added&to=${new Date(Date.parse(later) - 1).toISOString()}`))).items)).toEqual([`${yonhap}/2`]);
    for (const sort of ["time", "relevance"]) {
      const whole = named((await changes(q(both, `&in=added&sort=${sort}`))).items);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await changes(q(both, `&in=added&sort=${sort}&limit=1${cursor ? `&cursor=${cursor}` : ""}`));
        expect(page.items, sort).toHaveLength(1);
        seen.push(...named(page.items));
        cursor = page.cursor;
      } while (cursor);
      expect(seen, sort).toEqual(whole);
    }
  });

  it("answers 400 problem+json for an `in` it does not know, and for a query FTS5 rejects on a change side", async () => {
    for (const [query, detail] of [
      [q("five-fold", "&in=diff"), /`in` must be text \(every version's text\), added or removed .*not "diff"/],
      [q("AND", "&in=removed"), /not a search FTS5 understands/],
      [q('"unterminated', "&in=added"), /not a search FTS5 understands \(unterminated string\)/],
    ] as const) {
      const response = await api("GET", `/api/search?${query}`, { headers: {} });
      expect(response.status, query).toBe(400);
      expect(response.headers.get("Content-Type"), query).toBe("application/problem+json");
      expect(response.json.detail, query).toMatch(detail);
    }
  });
});

describe("what indexing adds to a commit", () => {
  it("a commit another writer beat writes no search row: one row per version and one per change comparing two, whatever the races", async () => {
    await reset();
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const id: string = (await track(SEED_URLS.yonhap)).json.id;
    const stale = (await trackerFor(env).store.getHead(id))!;
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    await Promise.all([check(id), check(id), checkArticle(trackerFor(env), stale, Date.now())]);
    const counts = await env.DB.prepare(
      `SELECT (SELECT COUNT(*) FROM versions) AS versions, (SELECT COUNT(*) FROM version_search) AS rows,
         (SELECT COUNT(*) FROM versions v WHERE NOT EXISTS (SELECT 1 FROM version_search s WHERE s.article_id = v.article_id AND s.n = v.n)) AS missing,
         (SELECT COUNT(*) FROM changes) AS changes, (SELECT group_concat(article_id || '/' || CAST(seq AS INTEGER)) FROM change_search) AS changeRows`,
    ).first<Record<string, number>>();
    // The first capture's change (created) compares no two versions: only the edit has a change_search row.
    expect(counts).toEqual({ versions: 2, rows: 2, missing: 0, changes: 2, changeRows: `${id}/2` });
  });

  it("a new version's batch carries one INSERT change_search after its change row, under the same guard", async () => {
    await reset();
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const id: string = (await track(SEED_URLS.yonhap)).json.id;
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    const probe = instrumented();
    const head = (await trackerFor(probe.env).store.getHead(id))!;
    expect((await checkArticle(trackerFor(probe.env), head, Date.now())).outcome).toBe("new-version");
    expect(probe.d1.trips.at(-1)).toEqual(["INSERT versions", "INSERT version_search", "INSERT changes", "INSERT change_search", "UPDATE articles"]);
    const row = await env.DB.prepare("SELECT article_id, seq, removed, added, removed_grams, added_grams FROM change_search").first<Record<string, unknown>>();
    expect(row).toMatchObject({ article_id: id, seq: 2, removed_grams: "", added_grams: "" });
    expect(row!.removed).toMatch(/six-fold/);
    expect(row!.added).toMatch(/five-fold/);
  });

  it("a first capture's batch carries one INSERT version_search: one statement and one D1 row written more", async () => {
    await reset();
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const id = await articleIdFor(SEED_URLS.yonhap);
    const probe = instrumented();
    expect((await trackNewArticle(trackerFor(probe.env), { id, url: SEED_URLS.yonhap }, Date.now())).outcome).toBe("created");
    const batch = probe.d1.trips.at(-1);
    expect(batch).toEqual(["INSERT versions", "INSERT version_search", "INSERT changes", "INSERT articles"]);
    // The bytes a version adds, from the FTS5 shadow tables (dbstat does not exist in D1): Yonhap v1, 2,074 bytes of text, no Hangul.
    const sizes = await env.DB.prepare(
      `SELECT (SELECT COUNT(*) FROM version_search) AS docs, (SELECT SUM(LENGTH(CAST(c3 AS BLOB))) FROM version_search_content) AS body,
         (SELECT SUM(LENGTH(CAST(c4 AS BLOB))) FROM version_search_content) AS grams, (SELECT SUM(LENGTH(sz)) FROM version_search_docsize) AS docsize,
         (SELECT COUNT(*) FROM version_search_data) AS dataRows, (SELECT SUM(LENGTH(block)) FROM version_search_data) AS data, (SELECT COUNT(*) FROM version_search_idx) AS idxRows`,
    ).first<Record<string, number>>();
    expect(sizes).toEqual({ docs: 1, body: 2074, grams: 0, docsize: 6, dataRows: 3, data: 2514, idxRows: 1 });
    // The Korean page: its grams (every two-syllable gram, 7 bytes with its space) take more bytes than its text, and its index more than Yonhap's.
    await setReplayClock("2019-01-01T00:00:00Z");
    await track(KOREAN_URL);
    const korean = await env.DB.prepare(
      `SELECT LENGTH(CAST(c3 AS BLOB)) AS body, LENGTH(CAST(c4 AS BLOB)) AS grams, (SELECT SUM(LENGTH(block)) FROM version_search_data) AS data
       FROM version_search_content WHERE id = (SELECT MAX(id) FROM version_search_content)`,
    ).first<Record<string, number>>();
    expect(korean).toEqual({ body: 1356, grams: 1796, data: 2514 + 3391 });
  });
});
