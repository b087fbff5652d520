import { describe, expect, it } from "vitest";
import { composePost, countGraphemes, languageOf, mastodonLength, truncateGraphemes, utf8Range, type PostStyle } from "./post-text";

const FAMILY = "👨‍👩‍👧"; // five code points, eight UTF-16 units, one cluster
const E_ACUTE = "e\u0301"; // e + combining acute accent, one cluster
const HAN = "한"; // precomposed syllable
const HAN_JAMO = "\u1112\u1161\u11AB"; // the same syllable as three conjoining jamo, one cluster

const LINK = "https://redline.example/articles/0123456789abcdef/changes/2";
const plain: PostStyle = { maxLength: 300, measure: countGraphemes, linkText: (url) => url };

describe("grapheme counting and truncation (Intl.Segmenter in workerd)", () => {
  it("counts a ZWJ emoji, a combining accent and a syllable in conjoining jamo as one cluster each", () => {
    expect(countGraphemes(`${FAMILY}${E_ACUTE}${HAN}${HAN_JAMO}`)).toBe(4);
  });

  it("cuts between clusters, the ellipsis counting as one", () => {
    expect(truncateGraphemes(`${FAMILY}${E_ACUTE}${HAN_JAMO}${FAMILY}`, 3)).toBe(`${FAMILY}${E_ACUTE}…`);
    expect(truncateGraphemes(`${FAMILY}${E_ACUTE}`, 2)).toBe(`${FAMILY}${E_ACUTE}`);
    expect(truncateGraphemes("word and more", 6)).toBe("word…");
  });
});

describe("composePost", () => {
  it("writes the site and headline, the summary, the kinds and the link, one per line, when all fit", () => {
    const post = composePost(
      { site: "www.hani.co.kr", headline: "방위비 협상  결렬", summary: "Headline rewritten; modified timestamp moved", kinds: ["title", "modified-date"], link: LINK },
      plain,
    );
    expect(post.text).toBe(`www.hani.co.kr edited “방위비 협상 결렬”\nHeadline rewritten; modified timestamp moved\n(title, modified-date)\n${LINK}`);
    expect(post.text.slice(post.link.start, post.link.end)).toBe(LINK);
    expect(post.link.uri).toBe(LINK);
  });

  it("cuts an emoji and accent headline at exactly 300 clusters, keeping the link whole and every cluster intact", () => {
    const headline = `${FAMILY}${E_ACUTE}${HAN_JAMO}`.repeat(150);
    const post = composePost({ site: "en.yna.co.kr", headline, summary: "1 sentence edited", kinds: ["body"], link: LINK }, plain);
    expect(countGraphemes(post.text)).toBe(300);
    expect(post.text.endsWith(`…”\n(body)\n${LINK}`)).toBe(true);
    expect(post.text).not.toContain("1 sentence edited");
    const kept = post.text.slice("en.yna.co.kr edited “".length, post.text.indexOf("…"));
    expect(kept).toBe(`${FAMILY}${E_ACUTE}${HAN_JAMO}`.repeat(kept.length / (FAMILY + E_ACUTE + HAN_JAMO).length));
  });

  it("cuts the summary before the headline, and leaves it out when too little room is left", () => {
    const headline = "H".repeat(150);
    const summary = "word ".repeat(100);
    const cut = composePost({ site: "a.example", headline, summary, kinds: ["body"], link: LINK }, plain);
    expect(countGraphemes(cut.text)).toBe(300);
    // 300 less the rest (236) less the summary's line break: 63 clusters, the ellipsis one of them.
    expect(cut.text).toBe(`a.example edited “${headline}”\n${"word ".repeat(12)}wo…\n(body)\n${LINK}`);

    const longHeadline = "H".repeat(210); // 296 clusters without the summary: 3 left for it
    const dropped = composePost({ site: "a.example", headline: longHeadline, summary, kinds: ["body"], link: LINK }, plain);
    expect(dropped.text).toBe(`a.example edited “${longHeadline}”\n(body)\n${LINK}`);
  });

  it("counts the link as its service does: 23 on Mastodon however long", () => {
    const mastodon: PostStyle = { maxLength: 500, measure: mastodonLength, linkText: (url) => url };
    const longLink = `${LINK}?${"q".repeat(200)}`;
    const post = composePost({ site: "a.example", headline: "가".repeat(600), summary: "s", kinds: ["body"], link: longLink }, mastodon);
    expect(mastodonLength(post.text)).toBe(500);
    expect(post.text.endsWith(`…”\n(body)\n${longLink}`)).toBe(true);
  });
});

describe("mastodonLength", () => {
  it("counts clusters, and each http(s) URL as 23 whatever its length", () => {
    expect(mastodonLength("abc")).toBe(3);
    expect(mastodonLength(`${FAMILY}${E_ACUTE} ${LINK}`)).toBe(2 + 1 + 23);
    expect(mastodonLength("see http://a.b and https://example.com/a/very/long/path/that/goes/on/and/on")).toBe(4 + 23 + 5 + 23);
    expect(mastodonLength("example.com is not a URL to it")).toBe(30);
  });
});

describe("utf8Range", () => {
  it("gives a link after Hangul its UTF-8 byte offsets: three bytes a syllable", () => {
    const text = `한국 뉴스 ${LINK}`;
    const start = text.indexOf(LINK);
    expect(start).toBe(6);
    expect(utf8Range(text, start, start + LINK.length)).toEqual({ byteStart: 2 * 3 + 1 + 2 * 3 + 1, byteEnd: 14 + LINK.length });
  });

  it("counts an emoji's four bytes and a combining mark's two", () => {
    expect(utf8Range(`${FAMILY}${E_ACUTE}x`, 10, 11)).toEqual({ byteStart: 4 + 3 + 4 + 3 + 4 + 1 + 2, byteEnd: 22 });
  });
});

describe("languageOf", () => {
  it("tags a headline Korean when a third of its letters are Hangul", () => {
    expect(languageOf("방위비 협상 결렬")).toBe("ko");
    expect(languageOf("트럼프 \"SMA\" 압박")).toBe("ko");
    expect(languageOf("US walks out of South Korea defense cost-sharing talks")).toBe("en");
    expect(languageOf("Seoul 서울")).toBe("en");
    expect(languageOf("2019")).toBe("en");
  });
});
