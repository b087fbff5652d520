/** The Slack, Discord and email messages built from a notice: plain values, no network. */
import { describe, expect, it } from "vitest";
import type { ChangeRecord } from "../storage/records";
import { discordMessage } from "./discord";
import { emailHtml, emailMime, encodeHeaderValue } from "./email";
import type { EditNotice } from "./model";
import { editNotice } from "./notice";
import { clip, escapeMrkdwn, slackCanFetch, slackMessage } from "./slack";

const HANI_TITLE = "美, 방위비 분담금 협상 결렬 − 3차 회의 80분 만에 중단…美 \"새 제안 기다린다\"";

function notice(overrides: Partial<ChangeRecord> = {}): EditNotice {
  const change: ChangeRecord = {
    id: "148b80f43a435b86-2",
    articleId: "148b80f43a435b86",
    seq: 2,
    url: "https://www.hani.co.kr/arti/politics/defense/917700.html",
    title: HANI_TITLE,
    from: 1,
    to: 2,
    detectedAt: "2019-11-19T12:00:00.000Z",
    kinds: ["title", "body", "stealth-edit"],
    summary: "Text changed without a new modified timestamp (stealth edit): headline edited; 1 paragraph added; +19/−0 words",
    significance: 0.93,
    ...overrides,
  };
  return editNotice(`${change.id}/sub-1`, "https://redline.example", change, async () => null);
}

/** Decodes RFC 2047 B encoded-words (as a mail reader does), to check the round trip. */
function decodeWords(header: string): string {
  const words = header.split("\r\n ").map((word) => /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(word)![1]!);
  return new TextDecoder().decode(Uint8Array.from(words.flatMap((word) => [...atob(word)].map((c) => c.charCodeAt(0)))));
}

describe("email", () => {
  it("encodes a Korean subject as UTF-8 encoded-words of at most 75 characters that decode to the headline", () => {
    const encoded = encodeHeaderValue(`Edited: ${HANI_TITLE}`);
    const words = encoded.split("\r\n ");
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodeWords(encoded)).toBe(`Edited: ${HANI_TITLE}`);
  });

  it("leaves an ASCII subject as it is, and never lets a newline start a new header", () => {
    expect(encodeHeaderValue("Edited: Talks end")).toBe("Edited: Talks end");
    expect(encodeHeaderValue("Edited\r\nBcc: someone@example.com")).toBe("Edited Bcc: someone@example.com");
  });

  it("escapes the fetched headline and summary in the HTML part", () => {
    const html = emailHtml(notice({ title: '<script>alert("x")</script>', summary: "a & b <img onerror=x>" }));
    expect(html).toContain("<h1 style=\"font-size:1.3em\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</h1>");
    expect(html).toContain("<p>a &amp; b &lt;img onerror=x&gt;</p>");
    expect(html).not.toContain("<script>");
  });

  it("has only CRLF line ends and body lines of at most 76 characters", () => {
    const mime = emailMime(notice(), { to: "desk@example.com", from: "redline@example.com" }, Date.parse("2019-11-19T12:05:00Z"), "b");
    expect(mime).not.toMatch(/[^\r]\n/);
    expect(mime).toContain("Date: Tue, 19 Nov 2019 12:05:00 +0000\r\n");
    const body = mime.slice(mime.indexOf("\r\n\r\n"));
    for (const line of body.split("\r\n")) expect(line.length).toBeLessThanOrEqual(76);
  });

  it("with the image, escapes its alt text in the <img> and keeps every line of the inline PNG within 76", () => {
    const image = { png: new Uint8Array(300).fill(7), svg: "<svg/>", alt: 'replaced "six" <b>& more</b>', width: 1200, height: 500 };
    const html = emailHtml(notice(), { contentId: "redline.x@example.com", alt: image.alt, width: image.width, height: image.height });
    expect(html).toContain('<img src="cid:redline.x@example.com" width="600" height="250" alt="replaced &quot;six&quot; &lt;b&gt;&amp; more&lt;/b&gt;"');
    const mime = emailMime(notice(), { to: "desk@example.com", from: "redline@example.com" }, 0, "b", image);
    expect(mime).not.toMatch(/[^\r]\n/);
    expect(mime).toContain('Content-Type: multipart/related; boundary="related-b"; type="text/html"');
    for (const line of mime.slice(mime.indexOf("\r\n\r\n")).split("\r\n")) expect(line.length).toBeLessThanOrEqual(76);
  });
});

describe("Slack", () => {
  it("shows the image in an image block only when given its alt text, cut to Slack's 2000; else the context line links it", () => {
    const shown = slackMessage(notice(), { alt: "x".repeat(2500) }).blocks as Array<{ type: string; alt_text?: string; image_url?: string }>;
    expect(shown[3]).toMatchObject({ type: "image", image_url: "https://redline.example/articles/148b80f43a435b86/diff/1..2/image.png" });
    expect(shown[3]!.alt_text).toHaveLength(2000);
    expect(JSON.stringify(slackMessage(notice()).blocks)).toContain("|Redline image>");
  });

  it("counts an image fetchable by Slack only on a public https origin that is not local", () => {
    const url = "https://redline.example/articles/a/diff/1..2/image.png";
    expect(slackCanFetch(url, {})).toBe(true);
    expect(slackCanFetch(url, { PUBLIC_READ: "true" })).toBe(true);
    expect(slackCanFetch(url, { PUBLIC_READ: "false" })).toBe(false);
    expect(slackCanFetch("http://redline.example/a.png", {})).toBe(false);
    expect(slackCanFetch("https://localhost:8787/a.png", {})).toBe(false);
    expect(slackCanFetch("https://127.0.0.1/a.png", {})).toBe(false);
    expect(slackCanFetch(null, {})).toBe(false);
  });

  it("escapes mrkdwn's three characters in fetched text", () => {
    expect(escapeMrkdwn("<!channel> & <https://evil.example|click>")).toBe("&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;");
    const section = slackMessage(notice({ summary: "<!here> edited" })).blocks[1] as { text: { text: string } };
    expect(section.text.text).toBe("&lt;!here&gt; edited\n*Kinds:* title, body, stealth-edit");
  });

  it("cuts a long headline to the header block's 150 characters, on a code point, with an ellipsis", () => {
    const header = slackMessage(notice({ title: "가".repeat(200) })).blocks[0] as { text: { text: string } };
    expect(header.text.text).toBe(`${"가".repeat(149)}…`);
    expect(clip("😀".repeat(10), 5)).toBe("😀😀…");
  });

  it("links the article when the change compares no two versions (a first capture)", () => {
    const message = slackMessage(notice({ from: null, to: 1, kinds: ["created"] }));
    expect(message.blocks[3]).toMatchObject({ elements: [{ text: { text: "See the article" }, url: "https://redline.example/articles/148b80f43a435b86" }] });
    expect((message.blocks[2] as { elements: unknown[] }).elements).toHaveLength(2);
  });
});

describe("Discord", () => {
  it("with the image, shows it as attachment://redline.png, describes it with its alt text cut to 1024, and drops the image's link field", () => {
    const image = { png: new Uint8Array(8), svg: "<svg/>", alt: "y".repeat(1500), width: 1200, height: 500 };
    const message = discordMessage(notice(), image) as { embeds: Array<{ image?: unknown; fields: Array<{ name: string }> }>; attachments: Array<{ id: number; filename: string; description: string }> };
    expect(message.embeds[0]!.image).toEqual({ url: "attachment://redline.png" });
    expect(message.attachments).toEqual([{ id: 0, filename: "redline.png", description: expect.any(String) }]);
    expect([...message.attachments[0]!.description]).toHaveLength(1024);
    expect(message.embeds[0]!.fields.map((field) => field.name)).toEqual(["Kinds", "Versions", "Site"]);
    expect((discordMessage(notice()) as { embeds: Array<{ fields: Array<{ name: string }> }> }).embeds[0]!.fields.at(-1)!.name).toBe("Image");
  });

  it("keeps the title within 256 and the description within 4096 characters", () => {
    const [embed] = discordMessage(notice({ title: "x".repeat(300), summary: "y".repeat(5000) })).embeds as Array<{ title: string; description: string }>;
    expect(embed!.title).toHaveLength(256);
    expect(embed!.description).toHaveLength(4096);
  });

  it("names the versions of a removal and of a first capture", () => {
    const field = (change: Partial<ChangeRecord>) => ((discordMessage(notice(change)).embeds as Array<{ fields: Array<{ name: string; value: string }> }>)[0]!.fields[1]!.value);
    expect(field({ from: 3, to: null, kinds: ["removed"] })).toBe("v3: removed");
    expect(field({ from: null, to: 1, kinds: ["created"] })).toBe("new: v1");
  });
});
