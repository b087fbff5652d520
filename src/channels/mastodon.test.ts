import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { defuseMentions, mastodonChannel, statusText } from "./mastodon";
import { mastodonLength } from "./post-text";
import { noticeOf } from "./social-fixtures";

const options = { allowLoopback: false, env };

describe("the Mastodon status text", () => {
  it("names the site and headline, says what changed and links the redline", () => {
    expect(statusText(noticeOf())).toBe(
      "en.yna.co.kr edited “N. Korea says talks with U.S. ended”\n" +
        "Text changed without a new modified timestamp (stealth edit): 1 sentence edited (figures changed); +1/−1 words\n" +
        "(body, numbers-changed, stealth-edit)\n" +
        "https://redline.example/articles/0123456789abcdef/diff/1..2",
    );
  });

  it("stays within 500 as Mastodon counts even when the headline alone is longer", () => {
    const text = statusText(noticeOf({ title: "방위비 분담금 협상 결렬 ".repeat(60) }));
    expect(mastodonLength(text)).toBe(500);
    expect(text.endsWith("…”\n(body, numbers-changed, stealth-edit)\nhttps://redline.example/articles/0123456789abcdef/diff/1..2")).toBe(true);
  });

  it("links the article page when the change compares no two versions", () => {
    const notice = noticeOf({ kinds: ["created"], from: null, to: 1, summary: "First capture: 9 paragraphs, 812 words" });
    const text = statusText({ ...notice, links: { ...notice.links, redline: null, imagePng: null, imageSvg: null } });
    expect(text.endsWith("\n(created)\nhttps://redline.example/articles/0123456789abcdef")).toBe(true);
  });
});

describe("defuseMentions", () => {
  it("keeps a quoted handle from mentioning its account, and leaves e-mail-like text and a lone @ alone otherwise", () => {
    expect(defuseMentions("Reply to @moon_jae-in@mastodon.social")).toBe("Reply to @\u2060moon_jae-in@\u2060mastodon.social");
    expect(defuseMentions("price @ 5")).toBe("price @ 5");
  });
});

describe("parse", () => {
  it("keeps the instance's origin, the visibility (unlisted by default) and the token as the secret", () => {
    expect(mastodonChannel.parse({ instance: "https://mastodon.social", accessToken: " tok " }, options)).toEqual({
      config: { instance: "https://mastodon.social", visibility: "unlisted" },
      secret: "tok",
    });
    expect(mastodonChannel.parse({ instance: "https://mastodon.social/", visibility: "private", accessToken: "t" }, options).config.visibility).toBe("private");
  });

  it("refuses a missing or private instance, a path, a bad visibility and a missing token, naming the field", () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ accessToken: "t" }, "instance", /is required/],
      [{ instance: "http://127.0.0.1:3000", accessToken: "t" }, "instance", /cannot be delivered to/],
      [{ instance: "https://mastodon.social/@redline", accessToken: "t" }, "instance", /origin alone/],
      [{ instance: "https://mastodon.social", visibility: "direct", accessToken: "t" }, "visibility", /public, unlisted, private/],
      [{ instance: "https://mastodon.social" }, "accessToken", /write:statuses and write:media/],
    ];
    for (const [body, field, reason] of cases) {
      expect(() => mastodonChannel.parse(body, options), JSON.stringify(body)).toThrow(reason);
      expect(() => mastodonChannel.parse(body, options), JSON.stringify(body)).toThrow(new RegExp(`^\`${field}\``, "u"));
    }
  });
});

describe("describe", () => {
  it("shows the instance and visibility, never the token", () => {
    expect(mastodonChannel.describe({ instance: "https://mastodon.social", visibility: "unlisted" })).toBe("Mastodon status (unlisted) on https://mastodon.social");
  });
});
