import { describe, expect, it } from "vitest";
import { articleIdFor, InvalidUrlError, normalizeArticleUrl, refusalReason } from "./url";

describe("normalizeArticleUrl", () => {
  it("lower-cases the host, drops the fragment, default port and tracking parameters", () => {
    expect(
      normalizeArticleUrl("HTTPS://En.YNA.co.kr:443/view/AEN20191218010400325?utm_source=tw&utm_medium=social&fbclid=x&page=2#comments"),
    ).toBe("https://en.yna.co.kr/view/AEN20191218010400325?page=2");
  });

  it("keeps parameters that identify the article", () => {
    expect(normalizeArticleUrl("https://example.com/news.php?id=17&utm_campaign=a")).toBe("https://example.com/news.php?id=17");
  });

  it.each([
    ["", "non-empty"],
    ["not a url", "not a valid absolute URL"],
    ["ftp://example.com/a", "only http and https"],
    ["javascript:alert(1)", "only http and https"],
    ["https://user:pw@example.com/a", "credentials"],
  ])("refuses %j", (input, message) => {
    expect(() => normalizeArticleUrl(input)).toThrow(InvalidUrlError);
    expect(() => normalizeArticleUrl(input)).toThrow(message);
  });

  it("refuses values that are not strings", () => {
    expect(() => normalizeArticleUrl(42)).toThrow(InvalidUrlError);
    expect(() => normalizeArticleUrl(undefined)).toThrow(InvalidUrlError);
  });
});

describe("articleIdFor", () => {
  it("is stable and the same for equivalent URLs", async () => {
    const a = await articleIdFor(normalizeArticleUrl("https://EXAMPLE.com/a?utm_source=x#top"));
    const b = await articleIdFor(normalizeArticleUrl("https://example.com/a"));
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(await articleIdFor("https://example.com/b")).not.toBe(a);
  });
});

describe("refusalReason", () => {
  it.each([
    "http://localhost/a",
    "http://127.0.0.1:8788/a",
    "http://2130706433/a",
    "http://[::1]/a",
    "http://[::ffff:127.0.0.1]/a",
    "http://app.localhost/a",
  ])("refuses loopback %s in production and allows it locally", (url) => {
    expect(refusalReason(url, false)).toMatch(/loopback/);
    expect(refusalReason(url, true)).toBeNull();
  });

  it.each([
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://printer.local/",
  ])("always refuses private or link-local %s", (url) => {
    expect(refusalReason(url, true)).toMatch(/private|link-local|reserved/);
  });

  it("allows public hosts", () => {
    expect(refusalReason("https://english.hani.co.kr/arti/1.html", false)).toBeNull();
    expect(refusalReason("http://8.8.8.8/", false)).toBeNull();
  });
});
