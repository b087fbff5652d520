import { describe, expect, it } from "vitest";
import { feedTokenFor, feedTokenHash, feedTokenName, wellFormedFeedToken, withFeedToken } from "./feed-tokens";
import { derivedHmacKey } from "./secrets";

const key = await derivedHmacKey("test-admin-token", "redline feed token v1");

describe("a feed token", () => {
  it("is the same 43-character token for the same id, another for another id", async () => {
    const token = await feedTokenFor(key, "id-1");
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(wellFormedFeedToken(token)).toBe(true);
    expect(await feedTokenFor(key, "id-1")).toBe(token);
    expect(await feedTokenFor(key, "id-2")).not.toBe(token);
  });

  it("is stored as its hex SHA-256", async () => {
    expect(await feedTokenHash("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it.each([[""], ["A".repeat(42)], ["A".repeat(44)], [`${"A".repeat(42)}=`]])("%j is not one", (token) => {
    expect(wellFormedFeedToken(token)).toBe(false);
  });
});

describe("a feed token's name", () => {
  it("is trimmed and kept up to 100 characters", () => {
    expect(feedTokenName("  NetNewsWire ")).toBe("NetNewsWire");
    expect(feedTokenName("x".repeat(100))).toBe("x".repeat(100));
  });

  it.each([[undefined], [""], ["   "], ["x".repeat(101)]])("%j is refused", (raw) => {
    expect(feedTokenName(raw)).toBeNull();
  });
});

describe("a page's feed link with the user's token", () => {
  it("gets the token added to its query, other parameters kept", () => {
    expect(withFeedToken("/feeds/changes.atom", "T")).toBe("/feeds/changes.atom?token=T");
    expect(withFeedToken("/feeds/changes.rss?kinds=edit&min_significance=0.5", "T")).toBe("/feeds/changes.rss?kinds=edit&min_significance=0.5&token=T");
  });

  it("replaces a token already there, and leaves other links alone", () => {
    expect(withFeedToken("/feeds/changes.json?token=old", "T")).toBe("/feeds/changes.json?token=T");
    expect(withFeedToken("/sources", "T")).toBe("/sources");
  });
});
