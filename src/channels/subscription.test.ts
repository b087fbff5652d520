import { describe, expect, it } from "vitest";
import type { ChangeListItem } from "../storage/records";
import { filterFrom, retryDelaySeconds, wantsChange, type ChannelFilter } from "./subscription";
import { signatureOf } from "./webhook";

const change: ChangeListItem = {
  id: "0123456789abcdef-2",
  articleId: "0123456789abcdef",
  url: "https://en.yna.co.kr/view/AEN20191218010400325",
  title: "Talks end",
  from: 1,
  to: 2,
  detectedAt: "2026-05-01T12:00:00.000Z",
  kinds: ["body", "stealth-edit"],
  summary: "…",
  significance: 0.4,
};
const everything: ChannelFilter = { articleId: null, site: null, source: null, kinds: null, minSignificance: 0 };
const SOURCE = "00112233aabbccdd";
const before = "2026-05-01T00:00:00.000Z";

describe("wantsChange", () => {
  it("matches on article, site, kinds and significance", () => {
    expect(wantsChange(everything, before, change, [])).toBe(true);
    expect(wantsChange({ ...everything, articleId: "fedcba9876543210" }, before, change, [])).toBe(false);
    expect(wantsChange({ ...everything, site: "en.yna.co.kr" }, before, change, [])).toBe(true);
    expect(wantsChange({ ...everything, site: "english.hani.co.kr" }, before, change, [])).toBe(false);
    expect(wantsChange({ ...everything, kinds: ["title", "stealth-edit"] }, before, change, [])).toBe(true);
    expect(wantsChange({ ...everything, kinds: ["title"] }, before, change, [])).toBe(false);
    expect(wantsChange({ ...everything, minSignificance: 0.4 }, before, change, [])).toBe(true);
    expect(wantsChange({ ...everything, minSignificance: 0.41 }, before, change, [])).toBe(false);
  });

  it("with a source filter, matches only changes of articles that source found", () => {
    expect(wantsChange({ ...everything, source: SOURCE }, before, change, [SOURCE, "ffeeddccbbaa9988"])).toBe(true);
    expect(wantsChange({ ...everything, source: SOURCE }, before, change, ["ffeeddccbbaa9988"])).toBe(false);
    expect(wantsChange({ ...everything, source: SOURCE }, before, change, [])).toBe(false);
  });

  it("never sends a subscriber changes from before it subscribed", () => {
    expect(wantsChange(everything, "2026-05-02T00:00:00.000Z", change, [])).toBe(false);
  });
});

describe("filterFrom", () => {
  it("reads every shared filter, and none as everything", () => {
    expect(filterFrom({})).toEqual(everything);
    expect(filterFrom({ articleId: "0123456789abcdef", site: "en.yna.co.kr", source: SOURCE, kinds: ["body"], minSignificance: 0.3 })).toEqual({
      articleId: "0123456789abcdef",
      site: "en.yna.co.kr",
      source: SOURCE,
      kinds: ["body"],
      minSignificance: 0.3,
    });
  });

  it("refuses a bad field with a problem naming it in invalid-params", async () => {
    const refusal = (() => {
      try {
        filterFrom({ source: "not-a-source" });
      } catch (error) {
        return error as { getResponse(): Response };
      }
      throw new Error("not refused");
    })();
    const body = (await refusal.getResponse().json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 400, detail: '`source` must be a source id (16 hex digits), not "not-a-source".' });
    expect(body["invalid-params"]).toEqual([{ name: "source", reason: 'must be a source id (16 hex digits), not "not-a-source".' }]);
  });
});

describe("signatureOf", () => {
  it("is HMAC-SHA256 of the body, hex, GitHub-style", async () => {
    // Wikipedia's HMAC example, checkable with `openssl dgst -sha256 -hmac key`.
    expect(await signatureOf("key", "The quick brown fox jumps over the lazy dog")).toBe(
      "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
    );
  });
});

describe("retryDelaySeconds", () => {
  it("doubles from 30 s and stops at an hour", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(retryDelaySeconds)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
  });
});
