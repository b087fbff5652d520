import { describe, expect, it } from "vitest";
import type { DiscoveredEntry } from "../model";
import { absoluteUrl, isoDate, newestFirst, plainText } from "./values";

describe("isoDate", () => {
  it.each([
    ["Tue, 19 Nov 2019 17:44:00 +0900", "2019-11-19T08:44:00.000Z"],
    ["Tue, 19 Nov 2019 08:44:00 GMT", "2019-11-19T08:44:00.000Z"],
    ["2019-11-19T17:44+09:00", "2019-11-19T08:44:00.000Z"],
    ["2019-11-19T08:44:05.123Z", "2019-11-19T08:44:05.000Z"],
    ["2019-11-19", "2019-11-19T00:00:00.000Z"],
    ["2019-11-19 17:44 KST", "2019-11-19T08:44:00.000Z"],
    ["yesterday", null],
    ["", null],
    [undefined, null],
  ])("reads %j as %j", (value, iso) => {
    expect(isoDate(value)).toBe(iso);
  });
});

describe("plainText", () => {
  it.each([
    ["<p>Seoul &amp; <b>Washington</b></p>", true, 100, "Seoul & Washington"],
    ["A &lt;b&gt; tag", false, 100, "A &lt;b&gt; tag"],
    ["  two\n\n lines ", false, 100, "two lines"],
    ["<img src=x>", true, 100, null],
    ["방위비분담금 협상", true, 3, "방위비"],
  ])("reads %j (HTML: %s, limit %d) as %j", (value, isHtml, limit, text) => {
    expect(plainText(value, isHtml, limit)).toBe(text);
  });
});

describe("absoluteUrl", () => {
  it("resolves against the source and keeps what cannot be resolved as written", () => {
    expect(absoluteUrl(" /view/AEN1 ", "https://en.yna.co.kr/RSS/news.xml")).toBe("https://en.yna.co.kr/view/AEN1");
    expect(absoluteUrl("http://[::1", "https://en.yna.co.kr/")).toBe("http://[::1");
  });
});

describe("newestFirst", () => {
  const entry = (url: string, publishedAt: string | null, updatedAt: string | null = null): DiscoveredEntry => ({
    url,
    title: null,
    summary: null,
    publishedAt,
    updatedAt,
  });

  it("orders by published, else updated, newest first; ties and undated entries keep document order", () => {
    const entries = [
      entry("undated-1", null),
      entry("old", "2026-11-01T00:00:00.000Z", "2026-12-30T00:00:00.000Z"),
      entry("updated-only", null, "2026-12-01T00:00:00.000Z"),
      entry("tie-1", "2026-11-15T00:00:00.000Z"),
      entry("undated-2", null),
      entry("tie-2", "2026-11-15T00:00:00.000Z"),
    ];
    expect(newestFirst(entries).map((e) => e.url)).toEqual(["updated-only", "tie-1", "tie-2", "old", "undated-1", "undated-2"]);
  });
});
