import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { blueskyChannel, linkText, postRecord, recordKey, subscriptionOf, type BlobRef } from "./bluesky";
import { countGraphemes } from "./post-text";
import { noticeOf, TINY_IMAGE } from "./social-fixtures";

const options = { allowLoopback: false, env };
const TID = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/u;
const S32 = "234567abcdefghijklmnopqrstuvwxyz";
const blob: BlobRef = { $type: "blob", ref: { $link: "bafkreiexample" }, mimeType: "image/png", size: TINY_IMAGE.png.byteLength };

/** The TID's 53-bit microsecond time, read back. */
const tidMicros = (tid: string) => [...tid.slice(0, 11)].reduce((value, char) => value * 32n + BigInt(S32.indexOf(char)), 0n);

interface Facet {
  index: { byteStart: number; byteEnd: number };
  features: Array<{ $type: string; uri: string }>;
}

describe("recordKey", () => {
  it("is a TID at the change's detection time, the same on every retry and different for another delivery", async () => {
    const key = await recordKey("0123456789abcdef-2/sub-a", "2026-05-01T12:00:00.000Z");
    expect(key).toMatch(TID);
    expect(await recordKey("0123456789abcdef-2/sub-a", "2026-05-01T12:00:00.000Z")).toBe(key);
    expect(await recordKey("0123456789abcdef-2/sub-b", "2026-05-01T12:00:00.000Z")).not.toBe(key);
    expect(tidMicros(key) / 1000n).toBe(BigInt(Date.parse("2026-05-01T12:00:00.000Z")));
  });
});

describe("subscriptionOf", () => {
  it("reads the subscription from a queued delivery's id and from a test send's", () => {
    expect(subscriptionOf("0123456789abcdef-2/6f1c2a9e")).toBe("6f1c2a9e");
    expect(subscriptionOf("0123456789abcdef-2/6f1c2a9e/test-1b2c")).toBe("6f1c2a9e");
    expect(subscriptionOf("sample/6f1c2a9e/test-1b2c")).toBe("6f1c2a9e");
  });
});

describe("postRecord", () => {
  it("is an app.bsky.feed.post with a link facet over the link's UTF-8 bytes after a Korean headline, langs ko, the image with alt and aspect ratio", () => {
    const notice = noticeOf({ title: "방위비 협상 결렬, 미국 대표단 퇴장" });
    const record = postRecord(notice, { blob, alt: TINY_IMAGE.alt, width: 1200, height: 630 });
    const text = record.text as string;
    expect(text).toBe(
      "en.yna.co.kr edited “방위비 협상 결렬, 미국 대표단 퇴장”\n" +
        "Text changed without a new modified timestamp (stealth edit): 1 sentence edited (figures changed); +1/−1 words\n" +
        "(body, numbers-changed, stealth-edit)\n" +
        "redline.example/articles/0123456789abcd…",
    );
    const [facet] = record.facets as Facet[];
    const bytes = new TextEncoder().encode(text);
    expect(new TextDecoder().decode(bytes.slice(facet!.index.byteStart, facet!.index.byteEnd))).toBe("redline.example/articles/0123456789abcd…");
    expect(facet!.index.byteEnd).toBe(bytes.length);
    expect(facet!.features).toEqual([{ $type: "app.bsky.richtext.facet#link", uri: "https://redline.example/articles/0123456789abcdef/diff/1..2" }]);
    expect(record).toMatchObject({
      $type: "app.bsky.feed.post",
      createdAt: "2026-05-01T12:00:00.000Z",
      langs: ["ko"],
      embed: { $type: "app.bsky.embed.images", images: [{ alt: TINY_IMAGE.alt, image: blob, aspectRatio: { width: 1200, height: 630 } }] },
    });
  });

  it("keeps to 300 graphemes with an emoji and combining-mark headline, the facet still over the link", () => {
    const record = postRecord(noticeOf({ title: "👩🏽‍💻Cafe\u0301\u0323".repeat(80) }), null);
    const text = record.text as string;
    expect(countGraphemes(text)).toBe(300);
    const [facet] = record.facets as Facet[];
    expect(new TextDecoder().decode(new TextEncoder().encode(text).slice(facet!.index.byteStart, facet!.index.byteEnd))).toBe(linkText("https://redline.example/articles/0123456789abcdef/diff/1..2"));
    expect(record).not.toHaveProperty("embed");
    expect(record.langs).toEqual(["en"]);
  });
});

describe("parse", () => {
  it("defaults the service to bsky.social and keeps the app password as the secret", () => {
    expect(blueskyChannel.parse({ identifier: "redline.bsky.social", appPassword: "abcd-efgh-ijkl-mnop" }, options)).toEqual({
      config: { service: "https://bsky.social", identifier: "redline.bsky.social" },
      secret: "abcd-efgh-ijkl-mnop",
    });
    expect(blueskyChannel.parse({ service: "https://pds.example.com/", identifier: "did:plc:ewvi7nxzyoun6zhxrhs64oiz", appPassword: "abcd-efgh-ijkl-mnop" }, options).config).toEqual({
      service: "https://pds.example.com",
      identifier: "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
    });
  });

  it("refuses a bad identifier, a main password and a private service, naming the field", () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ appPassword: "abcd-efgh-ijkl-mnop" }, "identifier", /is required/],
      [{ identifier: "not a handle", appPassword: "abcd-efgh-ijkl-mnop" }, "identifier", /handle .* or a DID/],
      [{ identifier: "redline.bsky.social", appPassword: "hunter2hunter2" }, "appPassword", /never the account's main password/],
      [{ identifier: "redline.bsky.social" }, "appPassword", /is required/],
      [{ service: "http://10.0.0.1", identifier: "redline.bsky.social", appPassword: "abcd-efgh-ijkl-mnop" }, "service", /cannot be delivered to/],
    ];
    for (const [body, field, reason] of cases) {
      expect(() => blueskyChannel.parse(body, options), JSON.stringify(body)).toThrow(reason);
      expect(() => blueskyChannel.parse(body, options), JSON.stringify(body)).toThrow(new RegExp(`^\`${field}\``, "u"));
    }
  });
});
