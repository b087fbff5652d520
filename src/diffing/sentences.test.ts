import { describe, expect, it } from "vitest";
import { splitSentences } from "./sentences";

describe("splitSentences", () => {
  it("splits plain sentences and keeps their punctuation", () => {
    expect(splitSentences("Talks ended on Wednesday. No deal was reached! Will they meet again? Officials hope so.")).toEqual([
      "Talks ended on Wednesday.",
      "No deal was reached!",
      "Will they meet again?",
      "Officials hope so.",
    ]);
  });

  it("does not split after U.S., Dec., Sept., titles or initials", () => {
    expect(
      splitSentences(
        "The U.S. Forces Korea commander met Sen. Kim on Dec. 18 in Seoul. John F. Kennedy Jr. was not there. Talks resume in Sept. 2020, officials said.",
      ),
    ).toEqual([
      "The U.S. Forces Korea commander met Sen. Kim on Dec. 18 in Seoul.",
      "John F. Kennedy Jr. was not there.",
      "Talks resume in Sept. 2020, officials said.",
    ]);
  });

  it("keeps decimals and figures whole", () => {
    expect(splitSentences("Seoul paid $4.7 billion. Washington asked for 5.0 trillion won.")).toEqual([
      "Seoul paid $4.7 billion.",
      "Washington asked for 5.0 trillion won.",
    ]);
  });

  it("keeps a quotation with several sentences together, and splits after its closing mark", () => {
    expect(splitSentences('"We will not pay. Not now, not ever," he said. The talks broke up. She added: “It is over. Done.” Nobody replied.')).toEqual([
      '"We will not pay. Not now, not ever," he said.',
      "The talks broke up.",
      "She added: “It is over. Done.”",
      "Nobody replied.",
    ]);
  });

  it("splits inside an unbalanced quotation that runs on into the next paragraph", () => {
    expect(splitSentences("“We made our position clear. The ball is in their court.")).toEqual([
      "“We made our position clear.",
      "The ball is in their court.",
    ]);
  });

  it("treats p.m. before a capitalised weekday or zone as part of the sentence", () => {
    expect(splitSentences("The meeting ended at 5 p.m. Wednesday. It resumes at 10 a.m. KST on Thursday. Delegates left at 6 p.m. They did not comment.")).toEqual([
      "The meeting ended at 5 p.m. Wednesday.",
      "It resumes at 10 a.m. KST on Thursday.",
      "Delegates left at 6 p.m.",
      "They did not comment.",
    ]);
  });

  it("splits Korean and CJK text", () => {
    expect(splitSentences("한미 방위비 협상이 끝났다. 합의는 없었다. 会谈结束。没有达成协议。")).toEqual([
      "한미 방위비 협상이 끝났다.",
      "합의는 없었다.",
      "会谈结束。",
      "没有达成协议。",
    ]);
  });

  it("returns one sentence for text without a boundary, and nothing for empty text", () => {
    expect(splitSentences("Breaking: talks collapse")).toEqual(["Breaking: talks collapse"]);
    expect(splitSentences("")).toEqual([]);
  });
});
