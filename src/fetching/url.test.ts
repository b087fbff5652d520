import { describe, expect, it } from "vitest";
import { ALLOWED, ALWAYS_REFUSED, LOOPBACK, rows, TEST_NAMES } from "../../test/outbound-table";
import { articleIdFor, InvalidUrlError, normalizeArticleUrl, refusalReason } from "./url";

describe("normalizeArticleUrl", () => {
  it("lower-cases the host, drops the fragment, default port and tracking parameters", () => {
    expect(
      normalizeArticleUrl("HTTPS://En.YNA.co.kr:443/view/AEN20191218010400325?utm_source=tw&utm_medium=social&fbclid=x&page=2#comments"),
    ).toBe("https://en.yna.co.kr/view/AEN20191218010400325?page=2");
  });

  it("drops the trailing dot of a fully qualified host name", () => {
    expect(normalizeArticleUrl("https://EN.yna.co.kr./view/AEN20191218010400325")).toBe("https://en.yna.co.kr/view/AEN20191218010400325");
    expect(normalizeArticleUrl("http://localhost.:8788/a")).toBe("http://localhost:8788/a");
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

  it("keeps the ids of URLs tracked before trailing dots were dropped", async () => {
    const url = "https://english.hani.co.kr/arti/english_edition/e_international/917772.html";
    expect(await articleIdFor(normalizeArticleUrl(url))).toBe("810977ca2275308f");
    expect(await articleIdFor(normalizeArticleUrl("https://english.hani.co.kr./arti/english_edition/e_international/917772.html"))).toBe("810977ca2275308f");
  });
});

describe("refusalReason", () => {
  it.each(rows(ALWAYS_REFUSED))("refuses %s (%s) naming %s, also with ALLOW_LOOPBACK", (_, url, names) => {
    expect(refusalReason(url, false)).toContain(names);
    expect(refusalReason(url, true)).toContain(names);
  });

  it.each(rows(LOOPBACK))("refuses %s (%s) as loopback naming %s, and allows it with ALLOW_LOOPBACK", (_, url, names) => {
    const refusal = refusalReason(url, false);
    expect(refusal).toContain(names);
    expect(refusal).toContain("loopback");
    expect(refusal).toContain("ALLOW_LOOPBACK=true");
    expect(refusalReason(url, true)).toBeNull();
  });

  it.each(rows(TEST_NAMES))("refuses %s (%s) as a testing name naming %s, and allows it with ALLOW_LOOPBACK", (_, url, names) => {
    expect(refusalReason(url, false)).toContain(names);
    expect(refusalReason(url, true)).toBeNull();
  });

  it.each(rows(ALLOWED))("allows %s (%s)", (_, url) => {
    expect(refusalReason(url, false)).toBeNull();
    expect(refusalReason(url, true)).toBeNull();
  });

  it("names the range and its registry entry", () => {
    expect(refusalReason("http://169.254.169.254/latest/meta-data", true)).toBe(
      "host 169.254.169.254 is in 169.254.0.0/16, link-local (RFC 3927)",
    );
    expect(refusalReason("http://[::ffff:192.168.0.1]/", true)).toBe(
      "host [::ffff:c0a8:1] is the IPv4-mapped form of 192.168.0.1, which is in 192.168.0.0/16, private-use (RFC 1918)",
    );
    expect(refusalReason("http://127.0.0.1:8788/a", false)).toBe(
      "host 127.0.0.1 is in 127.0.0.0/8, loopback (RFC 1122); loopback is allowed only with ALLOW_LOOPBACK=true, for local development",
    );
  });
});
