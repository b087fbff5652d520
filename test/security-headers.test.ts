/**
 * Every rendering of article text as HTML or plain text carries a Content-Security-Policy and
 * `nosniff`, so hostile markup in a page's text (fixtures' hostile.html) could never run, even
 * if a renderer forgot to escape it.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { freshHostileArticle, getRaw, HOSTILE_URL } from "./helpers";

/** The digest a CSP hash source names an inline `<style>` by. */
async function styleHash(html: string): Promise<string> {
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? "";
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(style)));
  return `'sha256-${btoa(String.fromCharCode(...digest))}'`;
}

describe("renderings of article text", () => {
  let id: string;
  beforeEach(async () => {
    id = await freshHostileArticle();
  });

  it("the API's HTML redline allows its own inline style by digest and nothing else, as ?format=html and for Accept: text/html", async () => {
    for (const [query, headers] of [["?format=html", {}], ["", { Accept: "text/html" }]] as const) {
      const response = await getRaw(`/api/articles/${id}/diff${query}`, headers);
      expect(response.headers.get("Content-Type")).toBe("text/html; charset=UTF-8");
      const html = await response.text();
      expect(response.headers.get("Content-Security-Policy")).toBe(
        `default-src 'none'; style-src ${await styleHash(html)}; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      );
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    }
  });

  it("the unified diff is plain text under the same policy, as ?format=unified and for Accept: text/plain", async () => {
    for (const [query, headers] of [["?format=unified", {}], ["", { Accept: "text/plain" }]] as const) {
      const response = await getRaw(`/api/articles/${id}/diff${query}`, headers);
      expect(response.headers.get("Content-Type")).toBe("text/plain; charset=UTF-8");
      expect(response.headers.get("Content-Security-Policy")).toBe(
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
      );
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    }
  });

  it("the web pages carry the same policy", async () => {
    for (const path of [`/articles/${id}`, `/articles/${id}/diff/1..2`, `/articles/${id}/versions/2`]) {
      const response = await getRaw(path, { Accept: "text/html" });
      expect(response.headers.get("Content-Security-Policy"), path).toBe(
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
      );
      expect(response.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
    }
  });

  it("a memento's extracted text (?view=text) carries the same policy", async () => {
    const timemap = await (await getRaw(`/timemap/json/${HOSTILE_URL}`)).json<{ mementos: { first: { uri: string } } }>();
    const response = await getRaw(`${new URL(timemap.mementos.first.uri).pathname}?view=text`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/plain; charset=UTF-8");
    expect(response.headers.get("Content-Security-Policy")).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it("the raw capture, the publisher's own HTML, is sandboxed and keeps its declared type", async () => {
    const response = await getRaw(`/api/articles/${id}/versions/1/raw`);
    expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("Content-Security-Policy")).toBe("sandbox");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});
