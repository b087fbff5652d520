import { describe, expect, it } from "vitest";
import {
  ALLOW_ALL,
  DISALLOW_ALL,
  ROBOTS_MAX_BYTES,
  crawlDelaySeconds,
  parseRobots,
  policyForResponse,
  robotsVerdict,
} from "./robots";

type Case = [agent: string, path: string, allowed: boolean, rule: string | null];

/** Runs a table of [agent, path, allowed, rule] against one robots.txt body. */
function table(body: string, cases: Case[]) {
  const policy = parseRobots(body);
  it.each(cases)("%s %s → allowed %s by %s", (agent, path, allowed, rule) => {
    expect(robotsVerdict(policy, agent, path)).toEqual({ allowed, rule });
  });
}

describe("RFC 9309 §5.1 simple example", () => {
  const body = [
    "User-Agent: *",
    "Disallow: *.gif$",
    "Disallow: /example/",
    "Allow: /publications/",
    "",
    "User-Agent: foobot",
    "Disallow:/",
    "Allow:/example/page.html",
    "Allow:/example/allowed.gif",
    "",
    "User-Agent: barbot",
    "User-Agent: bazbot",
    "Disallow: /example/page.html",
    "",
    "User-Agent: quxbot",
    "",
  ].join("\n");
  table(body, [
    ["otherbot", "/publications/2022.html", true, "Allow: /publications/"],
    ["otherbot", "/example/index.html", false, "Disallow: /example/"],
    ["otherbot", "/images/logo.gif", false, "Disallow: *.gif$"],
    ["otherbot", "/images/logo.gif?v=2", true, null],
    ["otherbot", "/about", true, null],
    ["foobot", "/example/page.html", true, "Allow:/example/page.html"],
    ["foobot", "/example/allowed.gif", true, "Allow:/example/allowed.gif"],
    ["foobot", "/example/other.html", false, "Disallow:/"],
    ["foobot", "/publications/", false, "Disallow:/"],
    ["barbot", "/example/page.html", false, "Disallow: /example/page.html"],
    ["bazbot", "/example/page.html", false, "Disallow: /example/page.html"],
    ["bazbot", "/example/other.html", true, null],
    ["bazbot", "/images/logo.gif", true, null],
    ["quxbot", "/example/index.html", true, null],
    ["quxbot", "/images/logo.gif", true, null],
  ]);
});

describe("RFC 9309 §5.2 longest match", () => {
  table("User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n", [
    ["foobot", "/example/page/disallowed.gif", false, "Disallow: /example/page/disallowed.gif"],
    ["foobot", "/example/page/allowed.gif", true, "Allow: /example/page/"],
    ["foobot", "/example/page/", true, "Allow: /example/page/"],
  ]);
  it("the longer rule wins whatever the order of the lines", () => {
    const policy = parseRobots("User-agent: *\nDisallow: /a/b/\nAllow: /a/\n");
    expect(robotsVerdict(policy, "Redline", "/a/b/c")).toEqual({ allowed: false, rule: "Disallow: /a/b/" });
    expect(robotsVerdict(policy, "Redline", "/a/c")).toEqual({ allowed: true, rule: "Allow: /a/" });
  });
  it("length is counted in octets of the normalised pattern, so a non-ASCII rule outweighs its character count", () => {
    // "/é" is 2 characters but "/%C3%A9" (7 octets), longer than the 5-octet "/ab/c".
    const policy = parseRobots("User-agent: *\nAllow: /ab/c\nDisallow: /é\n");
    expect(robotsVerdict(policy, "Redline", "/%C3%A9")).toEqual({ allowed: false, rule: "Disallow: /é" });
  });
});

describe("group selection", () => {
  const body = [
    "User-agent: *",
    "Disallow: /private/",
    "",
    "User-agent: redline",
    "Disallow: /drafts/",
    "",
    "User-agent: otherbot",
    "Disallow: /",
    "",
    "User-agent: REDLINE",
    "Disallow: /tmp/",
  ].join("\n");
  table(body, [
    ["Redline", "/drafts/x", false, "Disallow: /drafts/"],
    ["Redline", "/tmp/x", false, "Disallow: /tmp/"],
    ["Redline", "/private/x", true, null],
    ["redline", "/drafts/x", false, "Disallow: /drafts/"],
    ["REDLINE", "/tmp/x", false, "Disallow: /tmp/"],
    ["Redline/0.1 (+https://redline.example)", "/drafts/x", false, "Disallow: /drafts/"],
    ["Somebot", "/private/x", false, "Disallow: /private/"],
    ["Somebot", "/drafts/x", true, null],
    ["otherbot", "/anything", false, "Disallow: /"],
  ]);

  it("the token must equal the group's user-agent, not merely start it", () => {
    const policy = parseRobots("User-agent: Redline-News\nDisallow: /\n\nUser-agent: Red\nDisallow: /\n");
    expect(robotsVerdict(policy, "Redline", "/x")).toEqual({ allowed: true, rule: null });
    expect(robotsVerdict(policy, "Redline-News", "/x")).toEqual({ allowed: false, rule: "Disallow: /" });
  });

  it("a group's user-agent value is reduced to its product token, so 'Redline/1.0' names Redline", () => {
    const policy = parseRobots("User-agent: Redline/1.0\nDisallow: /x\n");
    expect(robotsVerdict(policy, "Redline", "/x")).toEqual({ allowed: false, rule: "Disallow: /x" });
  });

  it("several consecutive user-agent lines, blank lines between them included, form one group", () => {
    const policy = parseRobots("User-agent: a\n\nUser-agent: Redline\nUser-agent: b\nDisallow: /shared\n");
    for (const agent of ["a", "Redline", "b"]) {
      expect(robotsVerdict(policy, agent, "/shared")).toEqual({ allowed: false, rule: "Disallow: /shared" });
    }
    expect(robotsVerdict(policy, "c", "/shared")).toEqual({ allowed: true, rule: null });
  });

  it("a user-agent line after rules starts a new group, even after an empty Disallow", () => {
    const policy = parseRobots("User-agent: a\nDisallow:\nUser-agent: b\nDisallow: /\n");
    expect(robotsVerdict(policy, "a", "/x")).toEqual({ allowed: true, rule: null });
    expect(robotsVerdict(policy, "b", "/x")).toEqual({ allowed: false, rule: "Disallow: /" });
  });

  it("without a matching group or a '*' group no rules apply", () => {
    const policy = parseRobots("User-agent: otherbot\nDisallow: /\n");
    expect(robotsVerdict(policy, "Redline", "/x")).toEqual({ allowed: true, rule: null });
    expect(robotsVerdict(parseRobots(""), "Redline", "/x")).toEqual({ allowed: true, rule: null });
  });

  it("rules before any user-agent line are ignored", () => {
    const policy = parseRobots("Disallow: /\nAllow: /x\nCrawl-delay: 9\n\nUser-agent: *\nDisallow: /private\n");
    expect(robotsVerdict(policy, "Redline", "/public")).toEqual({ allowed: true, rule: null });
    expect(robotsVerdict(policy, "Redline", "/private")).toEqual({ allowed: false, rule: "Disallow: /private" });
    expect(crawlDelaySeconds(policy, "Redline")).toBeNull();
  });
});

describe("wildcards and the $ anchor (§2.2.3)", () => {
  const body = [
    "User-agent: *",
    "Disallow: /*.pdf$",
    "Disallow: /*/print",
    "Disallow: /*?sort=",
    "Disallow: /exact$",
    "Disallow: /price$5",
    "Disallow: /a*b*c*d*e*f*g*h*z",
  ].join("\n");
  table(body, [
    ["Redline", "/files/report.pdf", false, "Disallow: /*.pdf$"],
    ["Redline", "/files/report.pdf?dl=1", true, null],
    ["Redline", "/files/report.pdfx", true, null],
    ["Redline", "/2024/05/story/print", false, "Disallow: /*/print"],
    ["Redline", "/print", true, null],
    ["Redline", "/list?sort=date&page=2", false, "Disallow: /*?sort="],
    ["Redline", "/list?page=2&sort=date", true, null],
    ["Redline", "/exact", false, "Disallow: /exact$"],
    ["Redline", "/exact/more", true, null],
    ["Redline", "/price$5", false, "Disallow: /price$5"],
    ["Redline", "/abcdefghz", false, "Disallow: /a*b*c*d*e*f*g*h*z"],
    ["Redline", "/" + "abcdefgh".repeat(2000), true, null],
  ]);

  it("'*' matches across slashes and a trailing '*' changes nothing", () => {
    const policy = parseRobots("User-agent: *\nDisallow: /fish*\n");
    expect(robotsVerdict(policy, "Redline", "/fish")).toEqual({ allowed: false, rule: "Disallow: /fish*" });
    expect(robotsVerdict(policy, "Redline", "/fish/salmon.html")).toEqual({ allowed: false, rule: "Disallow: /fish*" });
    expect(robotsVerdict(policy, "Redline", "/Fish.asp")).toEqual({ allowed: true, rule: null });
  });
});

describe("allow and disallow of equal specificity (§2.2.2)", () => {
  it("allow wins a tie, whichever line comes first", () => {
    for (const body of ["User-agent: *\nDisallow: /page\nAllow: /page\n", "User-agent: *\nAllow: /page\nDisallow: /page\n"]) {
      expect(robotsVerdict(parseRobots(body), "Redline", "/page.html")).toEqual({ allowed: true, rule: "Allow: /page" });
    }
  });
  it("allow wins a tie between wildcard patterns of the same length", () => {
    // "/*.html" and "/*.htm*" are both 7 octets.
    const policy = parseRobots("User-agent: *\nDisallow: /*.html\nAllow: /*.htm*\n");
    expect(robotsVerdict(policy, "Redline", "/a.html")).toEqual({ allowed: true, rule: "Allow: /*.htm*" });
  });
});

describe("empty Disallow and the implicit /robots.txt", () => {
  it("an empty Disallow allows everything", () => {
    const policy = parseRobots("User-agent: *\nDisallow:\n");
    expect(robotsVerdict(policy, "Redline", "/anything")).toEqual({ allowed: true, rule: null });
  });
  it("an empty Disallow does not cancel the group's other rules", () => {
    const policy = parseRobots("User-agent: *\nDisallow:\nDisallow: /x\n");
    expect(robotsVerdict(policy, "Redline", "/x")).toEqual({ allowed: false, rule: "Disallow: /x" });
  });
  it("/robots.txt is always allowed, even under Disallow: / and when robots.txt is unreachable", () => {
    const implicit = { allowed: true, rule: "/robots.txt is implicitly allowed" };
    expect(robotsVerdict(parseRobots("User-agent: *\nDisallow: /\n"), "Redline", "/robots.txt")).toEqual(implicit);
    expect(robotsVerdict(DISALLOW_ALL, "Redline", "/robots.txt")).toEqual(implicit);
    expect(robotsVerdict(parseRobots("User-agent: *\nDisallow: /\n"), "Redline", "/robots.txt.bak")).toEqual({
      allowed: false,
      rule: "Disallow: /",
    });
  });
});

describe("percent-encoding equivalence (§2.2.2)", () => {
  table(
    [
      "User-agent: *",
      "Disallow: /foo/bar?baz=quz",
      "Disallow: /%7Efoo",
      "Disallow: /bar/%62%61%7A",
      "Disallow: /ja/ツ",
      "Disallow: /enc/%e3%83%84",
      "Disallow: /slash%2Fpart",
      "Disallow: /with space",
    ].join("\n"),
    [
      ["Redline", "/foo/bar?baz=quz", false, "Disallow: /foo/bar?baz=quz"],
      ["Redline", "/%66oo/bar?baz=quz", false, "Disallow: /foo/bar?baz=quz"],
      ["Redline", "/foo/bar?baz=%71uz", false, "Disallow: /foo/bar?baz=quz"],
      // "?" and "=" are reserved: their escapes mean something else and must not match.
      ["Redline", "/foo/bar%3Fbaz%3Dquz", true, null],
      ["Redline", "/~foo", false, "Disallow: /%7Efoo"],
      ["Redline", "/%7efoo/x", false, "Disallow: /%7Efoo"],
      ["Redline", "/bar/baz", false, "Disallow: /bar/%62%61%7A"],
      ["Redline", "/ja/%E3%83%84", false, "Disallow: /ja/ツ"],
      ["Redline", "/ja/%e3%83%84", false, "Disallow: /ja/ツ"],
      ["Redline", "/enc/%E3%83%84", false, "Disallow: /enc/%e3%83%84"],
      ["Redline", "/slash%2fpart", false, "Disallow: /slash%2Fpart"],
      ["Redline", "/slash/part", true, null],
      ["Redline", "/with%20space", false, "Disallow: /with space"],
    ],
  );
  it("matching is case-sensitive outside percent escapes", () => {
    const policy = parseRobots("User-agent: *\nDisallow: /Search\n");
    expect(robotsVerdict(policy, "Redline", "/search")).toEqual({ allowed: true, rule: null });
  });
});

describe("lines, comments, BOM and line endings", () => {
  it("comments are stripped, keys are case-insensitive, whitespace around the colon is tolerated", () => {
    const policy = parseRobots("# site robots\nUSER-AGENT : *   # everyone\ndisallow:/tmp # scratch\n  ALLOW :  /tmp/ok\n");
    expect(robotsVerdict(policy, "Redline", "/tmp/x")).toEqual({ allowed: false, rule: "disallow:/tmp" });
    expect(robotsVerdict(policy, "Redline", "/tmp/ok/1")).toEqual({ allowed: true, rule: "ALLOW :  /tmp/ok" });
  });
  it("a UTF-8 byte-order mark does not hide the first line", () => {
    const policy = parseRobots("\uFEFFUser-agent: *\nDisallow: /x\n");
    expect(robotsVerdict(policy, "Redline", "/x")).toEqual({ allowed: false, rule: "Disallow: /x" });
  });
  it("CR, LF and CRLF line ends are all accepted", () => {
    for (const eol of ["\n", "\r", "\r\n"]) {
      const policy = parseRobots(["User-agent: *", "Disallow: /a", "Disallow: /b"].join(eol));
      expect(robotsVerdict(policy, "Redline", "/a")).toEqual({ allowed: false, rule: "Disallow: /a" });
      expect(robotsVerdict(policy, "Redline", "/b")).toEqual({ allowed: false, rule: "Disallow: /b" });
    }
  });
  it("lines without a colon and unknown keys are ignored without breaking the group", () => {
    const policy = parseRobots("User-agent: *\nDisallow /nocolon\nHost: example.com\nNoindex: /x\nDisallow: /y\n");
    expect(robotsVerdict(policy, "Redline", "/nocolon")).toEqual({ allowed: true, rule: null });
    expect(robotsVerdict(policy, "Redline", "/x")).toEqual({ allowed: true, rule: null });
    expect(robotsVerdict(policy, "Redline", "/y")).toEqual({ allowed: false, rule: "Disallow: /y" });
  });
  it("an HTML page served as robots.txt yields no rules", () => {
    const policy = parseRobots("<!doctype html>\n<html><body><h1>Welcome</h1></body></html>\n");
    expect(policy.groups).toEqual([]);
    expect(robotsVerdict(policy, "Redline", "/x")).toEqual({ allowed: true, rule: null });
  });
});

describe("policyForResponse (§2.3.1)", () => {
  it.each([
    [200, false, "Disallow: /x", "User-agent: *\nDisallow: /x\n"],
    [204, true, null, null],
    [404, true, "robots.txt unavailable (HTTP 404): allow all", "<html>Not found</html>"],
    [401, true, "robots.txt unavailable (HTTP 401): allow all", null],
    [403, true, "robots.txt unavailable (HTTP 403): allow all", null],
    [410, true, "robots.txt unavailable (HTTP 410): allow all", null],
    [429, true, "robots.txt unavailable (HTTP 429): allow all", null],
    [500, false, "robots.txt unreachable (HTTP 500): disallow all", "User-agent: *\nAllow: /\n"],
    [503, false, "robots.txt unreachable (HTTP 503): disallow all", null],
    [301, false, "robots.txt unreachable (HTTP 301): disallow all", null],
    [null, false, "robots.txt unreachable: disallow all", null],
  ] as const)("HTTP %s → /x allowed %s by %s", (status, allowed, rule, body) => {
    expect(robotsVerdict(policyForResponse(status, body), "Redline", "/x")).toEqual({ allowed, rule });
  });
  it("the blanket constants decide every path but /robots.txt, and have no crawl-delay", () => {
    expect(robotsVerdict(ALLOW_ALL, "Redline", "/x")).toEqual({ allowed: true, rule: "robots.txt unavailable: allow all" });
    expect(robotsVerdict(DISALLOW_ALL, "Redline", "/x")).toEqual({ allowed: false, rule: "robots.txt unreachable: disallow all" });
    expect(policyForResponse(null, null)).toBe(DISALLOW_ALL);
    expect(crawlDelaySeconds(ALLOW_ALL, "Redline")).toBeNull();
    expect(crawlDelaySeconds(DISALLOW_ALL, "Redline")).toBeNull();
  });
});

describe("size cap (§2.5)", () => {
  const head = "User-agent: *\nDisallow: /early\n";
  const filler = "# " + "x".repeat(97) + "\n"; // 100 bytes

  it("content beyond ROBOTS_MAX_BYTES is ignored", () => {
    const body = head + filler.repeat(ROBOTS_MAX_BYTES / 100) + "Disallow: /late\n";
    const policy = parseRobots(body);
    expect(robotsVerdict(policy, "Redline", "/early")).toEqual({ allowed: false, rule: "Disallow: /early" });
    expect(robotsVerdict(policy, "Redline", "/late")).toEqual({ allowed: true, rule: null });
  });

  it("the line the limit falls in is dropped, not cut into a shorter rule", () => {
    // The limit falls 11 bytes into "Disallow: /archive-2019/": a cut there would leave
    // "Disallow: /" and shut out the whole site. The whole line must go instead.
    const pad = ROBOTS_MAX_BYTES - head.length - 11;
    const body = head + "#" + "x".repeat(pad - 2) + "\n" + "Disallow: /archive-2019/\n";
    const policy = parseRobots(body);
    expect(robotsVerdict(policy, "Redline", "/archive-2019/a")).toEqual({ allowed: true, rule: null });
    expect(robotsVerdict(policy, "Redline", "/early")).toEqual({ allowed: false, rule: "Disallow: /early" });
  });

  it("a body of exactly ROBOTS_MAX_BYTES, as a fetcher's capped read returns it, loses its unfinished last line", () => {
    const tail = "Disallow: /archive-2019/";
    const body = head + "#".repeat(ROBOTS_MAX_BYTES - head.length - 12) + "\n" + tail.slice(0, 11);
    expect(new TextEncoder().encode(body).length).toBe(ROBOTS_MAX_BYTES);
    const policy = parseRobots(body);
    expect(robotsVerdict(policy, "Redline", "/news/x")).toEqual({ allowed: true, rule: null });
    expect(robotsVerdict(policy, "Redline", "/early")).toEqual({ allowed: false, rule: "Disallow: /early" });
  });

  it("a line that ends exactly at the limit is kept, with bytes counted as UTF-8", () => {
    const last = "Disallow: /last\n";
    // "é" is two UTF-8 bytes: the padding is counted in bytes, not characters.
    const comment = "# " + "é".repeat((ROBOTS_MAX_BYTES - head.length - last.length - 3) / 2) + "\n";
    expect(new TextEncoder().encode(head + comment + last).length).toBe(ROBOTS_MAX_BYTES);
    const policy = parseRobots(head + comment + last + "Disallow: /after\n");
    expect(robotsVerdict(policy, "Redline", "/last")).toEqual({ allowed: false, rule: "Disallow: /last" });
    expect(robotsVerdict(policy, "Redline", "/after")).toEqual({ allowed: true, rule: null });
  });
});

describe("Crawl-delay", () => {
  it.each([
    ["5", 5],
    ["0", 0],
    ["2.5", 2.5],
    ["0.25", 0.25],
    [".5", 0.5],
    ["10 # be gentle", 10],
    ["-1", null],
    ["five", null],
    ["5s", null],
    ["1e3", null],
    ["", null],
    ["Infinity", null],
  ] as const)("Crawl-delay: %s → %s", (value, expected) => {
    expect(crawlDelaySeconds(parseRobots(`User-agent: *\nCrawl-delay: ${value}\n`), "Redline")).toBe(expected);
  });

  it("comes from the selected group only", () => {
    const policy = parseRobots(
      "User-agent: *\nCrawl-delay: 10\n\nUser-agent: Redline\nCrawl-delay: 2\n\nUser-agent: fastbot\nDisallow: /x\n",
    );
    expect(crawlDelaySeconds(policy, "Redline")).toBe(2);
    expect(crawlDelaySeconds(policy, "otherbot")).toBe(10);
    // fastbot's own group says nothing about delay, and the "*" group does not apply to it.
    expect(crawlDelaySeconds(policy, "fastbot")).toBeNull();
  });

  it("combined groups take the largest delay", () => {
    const policy = parseRobots("User-agent: Redline\nCrawl-delay: 3\n\nUser-agent: x\nDisallow:\n\nUser-agent: redline\nCrawl-delay: 7\n");
    expect(crawlDelaySeconds(policy, "Redline")).toBe(7);
  });

  it("a crawl-delay line ends the user-agent lines of its group", () => {
    const policy = parseRobots("User-agent: a\nCrawl-delay: 4\nUser-agent: b\nDisallow: /\n");
    expect(crawlDelaySeconds(policy, "a")).toBe(4);
    expect(crawlDelaySeconds(policy, "b")).toBeNull();
    expect(robotsVerdict(policy, "a", "/x")).toEqual({ allowed: true, rule: null });
  });
});

describe("realistic news-site files", () => {
  const newspaper = [
    "# robots.txt for www.daily-courier.example",
    "# Questions: webmaster@daily-courier.example",
    "",
    "User-agent: *",
    "Crawl-delay: 5",
    "Disallow: /search",
    "Disallow: /api/",
    "Disallow: /*?share=",
    "Allow: /api/oembed",
    "",
    "User-agent: GPTBot",
    "User-agent: CCBot",
    "Disallow: /",
    "",
    "Sitemap: https://www.daily-courier.example/sitemap-news.xml",
    "Sitemap: https://www.daily-courier.example/sitemap-index.xml",
  ].join("\r\n");

  table(newspaper, [
    ["Redline", "/politics/2024/05/01/budget-vote", true, null],
    ["Redline", "/search", false, "Disallow: /search"],
    ["Redline", "/search?q=election", false, "Disallow: /search"],
    ["Redline", "/searchlight/column", false, "Disallow: /search"],
    ["Redline", "/api/v2/articles/123", false, "Disallow: /api/"],
    ["Redline", "/api/oembed?url=x", true, "Allow: /api/oembed"],
    ["Redline", "/world/story-1?share=twitter", false, "Disallow: /*?share="],
    ["Redline", "/robots.txt", true, "/robots.txt is implicitly allowed"],
    ["GPTBot", "/politics/2024/05/01/budget-vote", false, "Disallow: /"],
    ["gptbot", "/", false, "Disallow: /"],
    ["CCBot", "/world/", false, "Disallow: /"],
  ]);

  it("collects the Sitemap lines and the crawl-delay of '*'", () => {
    const policy = parseRobots(newspaper);
    expect(policy.sitemaps).toEqual([
      "https://www.daily-courier.example/sitemap-news.xml",
      "https://www.daily-courier.example/sitemap-index.xml",
    ]);
    expect(crawlDelaySeconds(policy, "Redline")).toBe(5);
    expect(crawlDelaySeconds(policy, "GPTBot")).toBeNull();
  });

  const wire = [
    "User-agent: Googlebot-News",
    "Allow: /",
    "",
    "User-agent: *",
    "Disallow: /tag/",
    "Disallow: /author/",
    "Disallow: /*.json$",
    "Disallow: /live/*/embed",
    "Allow: /tag/breaking-news/",
    "Crawl-delay: 1.5",
    "",
    "User-agent: Bytespider",
    "Disallow: /",
    "sitemap: https://wire.example/news-sitemap.xml",
  ].join("\n");

  table(wire, [
    ["Redline", "/tag/sport/", false, "Disallow: /tag/"],
    ["Redline", "/tag/breaking-news/", true, "Allow: /tag/breaking-news/"],
    ["Redline", "/author/j-smith", false, "Disallow: /author/"],
    ["Redline", "/2024/05/01/story.json", false, "Disallow: /*.json$"],
    ["Redline", "/2024/05/01/story.json?amp", true, null],
    ["Redline", "/live/elections-2024/embed?x=1", false, "Disallow: /live/*/embed"],
    ["Redline", "/live/elections-2024/", true, null],
    ["Googlebot-News", "/tag/sport/", true, "Allow: /"],
    ["Bytespider", "/", false, "Disallow: /"],
  ]);

  it("a sitemap line inside a group belongs to the file, not the group", () => {
    const policy = parseRobots(wire);
    expect(policy.sitemaps).toEqual(["https://wire.example/news-sitemap.xml"]);
    expect(crawlDelaySeconds(policy, "Redline")).toBe(1.5);
  });
});
