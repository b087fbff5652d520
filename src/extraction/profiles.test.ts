import { describe, expect, it } from "vitest";
import { cleanByline } from "./byline";
import { SITE_PROFILES, extractArticle, profileFor } from "./index";
import { compileSelector } from "./selector";

describe("site profiles", () => {
  it.each(SITE_PROFILES.map((profile) => [profile.name, profile] as const))(
    "%s is valid data: selectors compile, the zone exists, hosts are lower case",
    (_name, profile) => {
      const selectors = [
        profile.title, profile.byline, profile.body, profile.exclude,
        profile.published?.selector, profile.modified?.selector,
      ];
      for (const selector of selectors) {
        if (selector !== undefined) expect(() => compileSelector(selector)).not.toThrow();
      }
      expect(() => new Intl.DateTimeFormat("en-US", { timeZone: profile.timeZone })).not.toThrow();
      for (const host of profile.hosts) expect(host).toBe(host.toLowerCase());
    },
  );

  it("gives every host to one profile only", () => {
    const hosts = SITE_PROFILES.flatMap((profile) => profile.hosts);
    expect(new Set(hosts).size).toBe(hosts.length);
  });

  it.each([
    ["https://english.hani.co.kr/arti/english_edition/e_international/917772.html", "hankyoreh"],
    ["https://en.yna.co.kr/view/AEN20191218010400325", "yonhap"],
    ["http://english.yonhapnews.co.kr/news/2017/06/01/0200000000AEN20170601002651315.html", "yonhap"],
    ["https://www.globalsecurity.org/military/library/news/2019/11/mil-191119-presstv01.htm", "globalsecurity"],
    ["https://www.thestandard.com.hk/section-news/section/6/214039/US-walks-out", "thestandard"],
    ["HTTPS://EN.YNA.CO.KR/view/X", "yonhap"],
  ])("%s → %s", (url, name) => {
    expect(profileFor(url)?.name).toBe(name);
  });

  it("leaves unknown hosts and unparseable URLs to the generic reader", () => {
    expect(profileFor("https://example.com/story")).toBeNull();
    expect(profileFor("not a url")).toBeNull();
  });

  it("falls back to the generic reader, and says so, when a profile's body matches nothing", () => {
    const sentences = Array.from({ length: 6 }, (_, index) => `<p>Sentence ${index} of a redesigned page, long enough, with commas, to count as story text for the reader.</p>`);
    const html = `<html><body><div class="new-template">${sentences.join("")}</div></body></html>`;
    const result = extractArticle(html, "https://en.yna.co.kr/view/AEN1");
    expect(result).toMatchObject({ ok: true, profile: "yonhap+generic" });
  });
});

describe("cleanByline", () => {
  it.each([
    ["By Noh Ji-won, staff reporter", "Noh Ji-won"],
    ["By Song Sang-ho", "Song Sang-ho"],
    ["by Song Sang-ho (sshluck@yna.co.kr)", "Song Sang-ho"],
    ["Written by: Kim Tong-hyung, Lee Ji-hye, Staff Reporters", "Kim Tong-hyung, Lee Ji-hye"],
    ["Park Min-hee, Seoul correspondent", "Park Min-hee"],
    ["Author Posted by Soliant", "Soliant"],
    ["Authors: Angela Williams, Stacy Ogbeide", "Angela Williams, Stacy Ogbeide"],
    ["Natalia Keogan in Festivals & Events on Dec 17, 2025", "Natalia Keogan"],
    ["Jane Doe December 7, 2015", "Jane Doe"],
    ["December 7, 2015March 4, 2020", null],
    ["Updated onFebruary 16, 2026", null],
    ["December 8December 8", null],
    ["JosephF J", "JosephF"],
    ["J JosephF", "JosephF"],
    ["John F. Kennedy", "John F. Kennedy"],
    ["kokobj@yna.co.kr", null],
    ["By", null],
  ])("%s → %s", (raw, expected) => {
    expect(cleanByline(raw)).toBe(expected);
  });
});
