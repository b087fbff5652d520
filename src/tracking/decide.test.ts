/** The check's state transition, outcome by outcome, without fetching or storing anything. */
import { describe, expect, it } from "vitest";
import type { ArticleContent } from "../model";
import type { VersionRecord } from "../storage/records";
import type { ArticleHead } from "../storage/store";
import { blankHead, decide, needsContent, retirementDue, type Capture, type CaptureAttempt, type CheckContext } from "./decide";

const NOW = Date.parse("2026-04-20T12:00:00.000Z");
const URL_ = "https://en.yna.co.kr/view/AEN20191218010400325";
const content = (title: string, paragraph: string): ArticleContent => ({ title, byline: null, publishedAt: null, modifiedAt: null, paragraphs: [paragraph] });

function capture(hash: string, c: ArticleContent, finalUrl = URL_): Capture {
  return {
    finalUrl,
    canonicalUrl: null,
    httpStatus: 200,
    charset: "utf-8",
    etag: `"${hash}"`,
    lastModified: null,
    content: c,
    hash,
    body: new Uint8Array(),
    raw: { sha256: `raw-${hash}`, size: 0, status: 200, contentType: "text/html", headers: [] },
  };
}

const v1Content = content("Talks end", "The talks ended.");
const v1: VersionRecord = { n: 1, capturedAt: "2026-04-19T00:00:00.000Z", url: URL_, finalUrl: URL_, canonicalUrl: null, httpStatus: 200, charset: "utf-8", contentHash: "h1", ...v1Content, prevRecordSha256: null };

/** An article with version 1 (hash h1), healthy unless `patch` says otherwise. */
function head(patch: Partial<ArticleHead["article"]> = {}): ArticleHead {
  const blank = blankHead({ id: "0123456789abcdef", url: URL_ }, Date.parse(v1.capturedAt));
  return {
    revision: 3,
    host: null,
    latest: { n: 1, capturedAt: v1.capturedAt, contentHash: "h1", title: v1.title, modifiedAt: null, recordSha256: "d1" },
    article: { ...blank.article, title: v1.title, versionCount: 1, changeCount: 1, latestHash: "h1", finalUrl: URL_, ...patch },
  };
}

const plain: CheckContext = { nowMs: NOW, previous: null, previousDigest: null, revertOf: null, rawStored: true };
const withPrevious: CheckContext = { ...plain, previous: v1, previousDigest: "d1" };
const captured = (hash: string, c: ArticleContent, finalUrl?: string): CaptureAttempt => ({ kind: "captured", capture: capture(hash, c, finalUrl) });

describe("decide", () => {
  it.each<[string, ArticleHead, CaptureAttempt, CheckContext, { outcome: string; changed: boolean; kinds: string[] | null; version: number | null; status: string }]>([
    ["created", blankHead({ id: "0123456789abcdef", url: URL_ }, NOW), captured("h1", v1Content), plain, { outcome: "created", changed: true, kinds: ["created"], version: 1, status: "active" }],
    ["new-version", head(), captured("h2", content("Talks collapse", "The talks ended.")), withPrevious, { outcome: "new-version", changed: true, kinds: ["title"], version: 2, status: "active" }],
    ["unchanged (304)", head(), { kind: "not-modified" }, plain, { outcome: "unchanged", changed: false, kinds: null, version: null, status: "active" }],
    ["unchanged (same hash)", head(), captured("h1", v1Content), plain, { outcome: "unchanged", changed: false, kinds: null, version: null, status: "active" }],
    ["relocated (final URL)", head(), captured("h1", v1Content, `${URL_}?moved=1`), plain, { outcome: "relocated", changed: true, kinds: ["final-url"], version: null, status: "active" }],
    ["first missing", head(), { kind: "missing", status: 404 }, plain, { outcome: "missing", changed: false, kinds: null, version: null, status: "active" }],
    ["removed", head({ consecutiveMissing: 1 }), { kind: "missing", status: 410 }, plain, { outcome: "removed", changed: true, kinds: ["removed"], version: null, status: "removed" }],
    ["restored, same text", head({ status: "removed", consecutiveMissing: 2 }), captured("h1", v1Content), plain, { outcome: "restored", changed: true, kinds: ["restored"], version: null, status: "active" }],
    ["restored, new text", head({ status: "removed", consecutiveMissing: 2 }), captured("h2", content("Talks end", "The talks ended abruptly.")), withPrevious, { outcome: "restored", changed: true, kinds: ["body", "restored"], version: 2, status: "active" }],
    ["failed", head(), { kind: "failed", reason: "HTTP 503", retryAfter: null }, plain, { outcome: "failed", changed: false, kinds: null, version: null, status: "failing" }],
  ])("%s", (_, before, attempt, context, expected) => {
    const decision = decide(before, attempt, context);
    expect(decision.outcome).toBe(expected.outcome);
    expect(decision.changed).toBe(expected.changed);
    expect(decision.article.status).toBe(expected.status);
    expect(decision.change?.kinds.filter((kind) => kind !== "stealth-edit") ?? null).toEqual(expected.kinds);
    expect(decision.version?.n ?? null).toBe(expected.version);
    expect(decision.article.lastCheckedAt).toBe(new Date(NOW).toISOString());
    if (decision.change) expect(decision.change.seq).toBe(before.article.changeCount + 1);
    if (decision.version) {
      expect(decision.article.versionCount).toBe(decision.version.n);
      expect(decision.change?.title).toBe(decision.version.title);
      expect(decision.version.prevRecordSha256).toBe(decision.version.n === 1 ? null : "d1");
    }
  });

  it("backs off after failures", () => {
    const once = decide(head(), { kind: "failed", reason: "HTTP 503", retryAfter: null }, plain);
    const twice = decide({ ...head(), article: once.article }, { kind: "failed", reason: "HTTP 503", retryAfter: null }, plain);
    expect(twice.article.consecutiveFailures).toBe(2);
    expect(twice.article.status).toBe("failing");
    expect(Date.parse(twice.article.nextCheckAt)).toBeGreaterThanOrEqual(Date.parse(once.article.nextCheckAt));
    expect(twice.error).toBe("HTTP 503");
  });

  it("labels a return to an earlier version's text a revert", () => {
    const decision = decide(head({ versionCount: 2, changeCount: 2, latestHash: "h2" }), captured("h1", v1Content), { ...withPrevious, previous: { ...v1, n: 2, contentHash: "h2", title: "Talks collapse" }, revertOf: 1 });
    expect(decision.outcome).toBe("new-version");
    expect(decision.version?.n).toBe(3);
    expect(decision.change?.kinds).toContain("revert");
    expect(decision.change?.revertOf).toBe(1);
  });

  it("needs the previous version only when the content changed", () => {
    expect(needsContent(head(), captured("h1", v1Content))).toBe(false);
    expect(needsContent(head(), { kind: "not-modified" })).toBe(false);
    expect(needsContent(head(), captured("h2", v1Content))).toBe(true);
  });

  it("never writes tracking: a stopped article stays stopped whatever the check saw", () => {
    const decision = decide(head({ tracking: false }), captured("h2", content("Talks collapse", "x")), withPrevious);
    expect(decision.article.tracking).toBe(false);
  });

  it("gives a first capture found by a source with trackDays its retireAt, and none otherwise", () => {
    const retireAt = NOW + 86_400_000;
    expect(decide(blankHead({ id: "0123456789abcdef", url: URL_, retireAt }, NOW), captured("h1", v1Content), plain).article.retireAt).toBe("2026-04-21T12:00:00.000Z");
    expect(decide(blankHead({ id: "0123456789abcdef", url: URL_ }, NOW), captured("h1", v1Content), plain).article.retireAt).toBeNull();
  });

  it.each<[string, Partial<ArticleHead["article"]>, boolean]>([
    ["no retireAt", { retireAt: null }, false],
    ["retireAt still ahead", { retireAt: "2026-04-20T12:00:00.001Z" }, false],
    ["retireAt exactly now", { retireAt: "2026-04-20T12:00:00.000Z" }, true],
    ["retireAt passed", { retireAt: "2026-04-01T00:00:00.000Z" }, true],
    ["retireAt passed but no longer tracked", { retireAt: "2026-04-01T00:00:00.000Z", tracking: false }, false],
  ])("retirement is due with %s: %s", (_, patch, due) => {
    expect(retirementDue(head(patch).article, NOW)).toBe(due);
  });

  it("retires without a change or a version: status retired, tracking off, the history and last check as they were", () => {
    const before = head({ retireAt: "2026-04-20T00:00:00.000Z", status: "failing", lastError: "HTTP 503", lastCheckedAt: "2026-04-20T11:00:00.000Z" });
    const decision = decide(before, { kind: "retired" }, plain);
    expect(decision).toEqual({
      outcome: "retired",
      changed: false,
      article: { ...before.article, status: "retired", tracking: false, lastError: null },
      version: null,
      change: null,
      latest: { n: 1, capturedAt: v1.capturedAt, contentHash: "h1", title: v1.title, modifiedAt: null },
      error: null,
      diff: null,
    });
  });
});
