import { describe, expect, it } from "vitest";
import type { ArticleContent } from "../model";
import { diffInHistory, diffVersions } from ".";

const content = (figure: string): ArticleContent => ({
  title: "Seoul and Washington end talks",
  byline: "Song Sang-ho",
  publishedAt: "2019-12-18T20:39:00+09:00",
  modifiedAt: "2019-12-18T20:39:00+09:00",
  paragraphs: [`The U.S. asked for a ${figure} increase.`, "No date was set for the next round."],
});

const A = content("six-fold");
const B = content("five-fold");
const version = (n: number, text: ArticleContent, contentHash: string) => ({ ...text, n, contentHash });

describe("a diff in the article's history", () => {
  it("of a version that repeats an older one is a revert of it: kind, revertOf, weight and summary", () => {
    const history = [version(1, A, "a"), version(2, B, "b"), version(3, A, "a")];
    const plain = diffVersions(B, A);
    expect(plain.significance).toBe(0.58);
    expect(diffInHistory(history[1]!, history[2]!, history)).toEqual({
      ...plain,
      kinds: ["body", "numbers-changed", "stealth-edit", "revert"],
      revertOf: 1,
      significance: 0.71, // 0.58 and a revert's 0.3, combined as a noisy OR
      summary: `Reverted to version 1; ${plain.summary}`,
    });
  });

  it("reverts to the newest of the versions it repeats", () => {
    const history = [version(1, A, "a"), version(2, B, "b"), version(3, A, "a"), version(4, B, "b"), version(5, A, "a")];
    expect(diffInHistory(history[3]!, history[4]!, history).revertOf).toBe(3);
  });

  it("is the plain diff when the later side repeats no earlier version, or when read backwards", () => {
    const history = [version(1, A, "a"), version(2, B, "b"), version(3, A, "a")];
    expect(diffInHistory(history[0]!, history[1]!, history)).toEqual(diffVersions(A, B));
    expect(diffInHistory(history[2]!, history[1]!, history)).toEqual(diffVersions(A, B));
  });
});
