import { describe, expect, it } from "vitest";
import { entryVerdict, FilterError, parseFilter } from "./filter";
import type { DiscoveredEntry } from "./model";

const NOW = Date.parse("2026-12-01T12:00:00Z");

function entry(fields: Partial<DiscoveredEntry> = {}): DiscoveredEntry {
  return {
    url: "https://en.yna.co.kr/view/AEN20261201001200315",
    title: "S. Korea, U.S. hold defence cost-sharing talks",
    summary: null,
    publishedAt: "2026-12-01T09:00:00.000Z",
    updatedAt: null,
    ...fields,
  };
}

describe("parseFilter", () => {
  it("accepts every field and keeps it as sent", () => {
    const input = {
      include: ["https://en.yna.co.kr/view/*", "/arti/english_edition/*"],
      exclude: ["/view/AEN*PHOTO*"],
      keywords: ["cost-sharing", "방위비"],
      maxAgeDays: 2.5,
    };
    expect(parseFilter(input)).toEqual(input);
  });

  it("reads an absent filter, an empty object and empty arrays as the empty filter", () => {
    expect(parseFilter(undefined)).toEqual({});
    expect(parseFilter({})).toEqual({});
    expect(parseFilter({ include: [], exclude: [], keywords: [] })).toEqual({});
  });

  it.each([
    [null, "the filter must be an object, got null"],
    [["/x"], 'the filter must be an object, got ["/x"]'],
    [{ url: "https://x.test/" }, 'unknown filter field "url"; the fields are include, exclude, keywords, maxAgeDays'],
    [{ include: "/view/*" }, 'include must be an array of strings, got "/view/*"'],
    [{ exclude: [42] }, "exclude[0] must be a string, got 42"],
    [{ include: ["/ok/*", "view/*"] }, 'include[1] is not a URLPattern (an absolute one, or a pathname starting with "/"): "view/*"'],
    [{ exclude: ["https://x.test/(unclosed"] }, 'exclude[0] is not a URLPattern (an absolute one, or a pathname starting with "/"): "https://x.test/(unclosed"'],
    [{ keywords: ["tariffs", "  "] }, 'keywords[1] must not be empty, got "  "'],
    [{ maxAgeDays: 0 }, "maxAgeDays must be a positive number of days, got 0"],
    [{ maxAgeDays: -3 }, "maxAgeDays must be a positive number of days, got -3"],
    [{ maxAgeDays: "7" }, 'maxAgeDays must be a positive number of days, got "7"'],
    [{ keywords: Array.from({ length: 101 }, () => "k") }, "keywords lists 101 items; at most 100 are allowed"],
  ])("refuses %j: %s", (input, message) => {
    // The field at fault is the first word of the message, when one field is.
    const field = /^(include|exclude|keywords|maxAgeDays)\b/.exec(message)?.[1] as ConstructorParameters<typeof FilterError>[1];
    expect(() => parseFilter(input)).toThrow(new FilterError(message, field));
  });

  it("cuts a long bad value in its message", () => {
    const long = `view/${"a".repeat(300)}`;
    expect(() => parseFilter({ include: [long] })).toThrow(/: "view\/a+…" \(cut: 305 characters in all\)$/);
  });
});

describe("entryVerdict", () => {
  it("keeps every entry under the empty filter, dated or not", () => {
    expect(entryVerdict(entry(), {}, NOW)).toBeNull();
    expect(entryVerdict(entry({ publishedAt: null, title: null }), {}, NOW)).toBeNull();
  });

  it.each([
    ["an absolute include pattern", { include: ["https://en.yna.co.kr/view/*"] }, "https://en.yna.co.kr/view/AEN1", null],
    ["an absolute include pattern, on a URL with a query", { include: ["https://en.yna.co.kr/view/*"] }, "https://en.yna.co.kr/view/AEN1?section=nk", null],
    ["a pathname include pattern on the entry's own origin", { include: ["/view/AEN*"] }, "https://en.yna.co.kr/view/AEN1", null],
    ["a pathname include pattern, on a URL with a query", { include: ["/view/AEN*"] }, "https://en.yna.co.kr/view/AEN1?section=nk#top", null],
    ["a pathname include pattern on another origin", { include: ["/view/AEN*"] }, "https://www.yna.co.kr/view/AEN1", null],
    [
      "no include pattern",
      { include: ["https://en.yna.co.kr/view/*", "/arti/*"] },
      "https://en.yna.co.kr/photo/PYH1",
      { reason: "not-included", detail: 'matches none of the include patterns "https://en.yna.co.kr/view/*", "/arti/*"' },
    ],
    [
      "an exclude pattern",
      { exclude: ["/view/*PHOTO*"] },
      "https://en.yna.co.kr/view/PHOTO123",
      { reason: "excluded", detail: 'matches the exclude pattern "/view/*PHOTO*"' },
    ],
    [
      "an exclude pattern before a matching include",
      { include: ["/view/*"], exclude: ["/view/*PHOTO*"] },
      "https://en.yna.co.kr/view/PHOTO123",
      { reason: "excluded", detail: 'matches the exclude pattern "/view/*PHOTO*"' },
    ],
    [
      "an entry URL that does not parse",
      { include: ["/view/*"] },
      "not a url",
      { reason: "not-included", detail: 'matches none of the include patterns "/view/*"' },
    ],
  ])("URL patterns: %s", (_, filter, url, verdict) => {
    expect(entryVerdict(entry({ url }), filter, NOW)).toEqual(verdict);
  });

  it.each([
    ["case-insensitively in the title", ["COST-SHARING"], { title: "Defence cost-sharing deal" }, true],
    ["full-width Latin against ASCII", ["ＵＳ"], { title: "US forces in Korea" }, true],
    ["ASCII against full-width Latin", ["us"], { title: "ＵＳ forces" }, true],
    ["a Korean word inside a compound", ["방위비"], { title: "방위비분담금 협상 타결" }, true],
    ["in the summary when the title lacks it", ["tariff"], { title: "Talks end", summary: "New Tariffs on steel" }, true],
    ["any one of several", ["yen", "won"], { title: "The won weakens" }, true],
    ["nowhere", ["방위비", "tariff"], { title: "Weather", summary: "Rain" }, false],
    ["with neither title nor summary", ["tariff"], { title: null, summary: null }, false],
  ])("keywords match %s", (_, keywords, fields, kept) => {
    const verdict = entryVerdict(entry(fields), { keywords }, NOW);
    const detail = `neither the title nor the summary contains any of the keywords ${keywords.map((k) => JSON.stringify(k)).join(", ")}`;
    expect(verdict).toEqual(kept ? null : { reason: "no-keyword", detail });
  });

  it.each([
    ["published within the limit", { publishedAt: "2026-11-30T12:00:00Z" }, null],
    ["published exactly at the limit", { publishedAt: "2026-11-29T12:00:00Z" }, null],
    [
      "published past the limit",
      { publishedAt: "2026-11-28T06:00:00Z" },
      { reason: "too-old", detail: "published 2026-11-28T06:00:00Z (3.2 days ago), older than maxAgeDays 2" },
    ],
    [
      "updated past the limit without a publication date",
      { publishedAt: null, updatedAt: "2026-11-01T12:00:00Z" },
      { reason: "too-old", detail: "updated 2026-11-01T12:00:00Z (30 days ago), older than maxAgeDays 2" },
    ],
    ["published recently though updated long ago", { publishedAt: "2026-12-01T00:00:00Z", updatedAt: "2020-01-01T00:00:00Z" }, null],
    ["dated in the future", { publishedAt: "2027-01-01T00:00:00Z" }, null],
    [
      "without any date",
      { publishedAt: null, updatedAt: null },
      { reason: "no-date", detail: "the entry has no date of its own and maxAgeDays is 2" },
    ],
  ])("maxAgeDays 2: an entry %s", (_, fields, verdict) => {
    expect(entryVerdict(entry(fields), { maxAgeDays: 2 }, NOW)).toEqual(verdict);
  });

  it("checks exclude, include, keywords, then age, and reports the first that fails", () => {
    const filter = { include: ["/view/*"], exclude: ["/view/X*"], keywords: ["tariff"], maxAgeDays: 1 };
    const old = { publishedAt: "2020-01-01T00:00:00Z", title: "Weather" };
    expect(entryVerdict(entry({ ...old, url: "https://a.test/view/X1" }), filter, NOW)?.reason).toBe("excluded");
    expect(entryVerdict(entry({ ...old, url: "https://a.test/photo/1" }), filter, NOW)?.reason).toBe("not-included");
    expect(entryVerdict(entry({ ...old, url: "https://a.test/view/1" }), filter, NOW)?.reason).toBe("no-keyword");
    expect(entryVerdict(entry({ ...old, url: "https://a.test/view/1", title: "tariff" }), filter, NOW)?.reason).toBe("too-old");
  });
});
