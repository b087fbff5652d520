import { describe, expect, it } from "vitest";
import { diffVersions } from "../diffing";
import { changeText } from "./changes";
import { changeQuery, SearchSyntaxError } from "./text";

const version = (title: string, paragraphs: string[]) => ({ title, byline: null, publishedAt: null, modifiedAt: null, paragraphs });

describe("changeText: what a change took out and put in, sentence by sentence", () => {
  it("holds an edited sentence whole on both sides, an added one on the added side, a deleted one on the removed side", () => {
    const before = version("Talks end", ["The negotiator demanded a six-fold increase. Talks ended early.", "Seoul said it would wait."]);
    const after = version("Talks end", ["The negotiator demanded a five-fold increase. Talks ended early.", "A new round is set for December."]);
    expect(changeText(diffVersions(before, after))).toEqual({
      removed: "The negotiator demanded a six-fold increase.\nSeoul said it would wait.",
      added: "The negotiator demanded a five-fold increase.\nA new round is set for December.",
      removedGrams: "",
      addedGrams: "",
    });
  });

  it("puts a rewritten headline first on each side and leaves a moved sentence out", () => {
    const before = version("Talks end", ["First point stands.", "Second point stands."]);
    const after = version("Talks collapse", ["Second point stands.", "First point stands."]);
    expect(changeText(diffVersions(before, after))).toMatchObject({ removed: "Talks end", added: "Talks collapse" });
  });

  it("gives each side's Hangul runs as two-syllable grams", () => {
    const before = version("협상 결렬", ["미국은 인상을 강하게 요구했다."]);
    const after = version("협상 결렬", ["미국은 인상을 요구했다."]);
    expect(changeText(diffVersions(before, after))).toEqual({
      removed: "미국은 인상을 강하게 요구했다.",
      added: "미국은 인상을 요구했다.",
      removedGrams: "미국 국은 인상 상을 강하 하게 요구 구했 했다",
      addedGrams: "미국 국은 인상 상을 요구 구했 했다",
    });
  });
});

describe("changeQuery: one side's text and not the other's", () => {
  it("filters the query to that side's columns and excludes the same query on the other side, Hangul grams on each side's own column", () => {
    expect(changeQuery("six-fold", "removed").match).toBe('({removed removed_grams} : ("six-fold")) NOT ({added added_grams} : ("six-fold"))');
    expect(changeQuery("강하게", "removed")).toEqual({
      match: '({removed removed_grams} : ((removed_grams : "강하 하게"))) NOT ({added added_grams} : ((added_grams : "강하 하게")))',
      hangul: ["강하게"],
    });
  });

  it("refuses an unterminated phrase, which repeated would end at the second copy's quote", () => {
    expect(() => changeQuery('"five billion', "added")).toThrow(SearchSyntaxError);
  });
});
