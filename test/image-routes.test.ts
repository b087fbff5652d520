/**
 * The image routes end to end: seed edits tracked through the real check path, their redline as
 * SVG and as PNG (rendered by resvg's WebAssembly inside workerd with the bundled Korean font),
 * caching by ETag, and the problems a bad range gets.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { adHocOrigin, answerWith } from "./ad-hoc-origin";
import { app } from "../src/app";
import { changeImage } from "../src/image";
import { RedlineStore } from "../src/storage/store";
import { check, getRaw, instrumented, page, reset, SEED_URLS, setReplayClock, track, trackTwoVersions } from "./helpers";
import { KOREAN_EDIT, KOREAN_URL } from "./image-fixtures";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The PNG's signature and its IHDR chunk's width and height (big-endian, right after the chunk type). */
function pngHeader(bytes: Uint8Array): { signature: number[]; chunk: string; width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    signature: [...bytes.slice(0, 8)],
    chunk: String.fromCharCode(...bytes.slice(12, 16)),
    width: view.getUint32(16),
    height: view.getUint32(20),
  };
}

/** The Korean fixture page as it would read after the edit, served as UTF-8 (the fixture is EUC-KR). */
async function editedKoreanHtml(): Promise<string> {
  const original = await fetch(`${env.REPLAY_ORIGIN}/fetch?url=${encodeURIComponent(KOREAN_URL)}`);
  const html = new TextDecoder("euc-kr").decode(await original.arrayBuffer());
  return html
    .replace('<meta charset="euc-kr">', '<meta charset="utf-8">')
    .replace(KOREAN_EDIT.from, KOREAN_EDIT.to)
    .replace("정해지지 않았다.", `정해지지 않았다.${KOREAN_EDIT.added}`);
}

let yonhap = "";
let korean = "";

beforeAll(async () => {
  await reset();
  yonhap = await trackTwoVersions(SEED_URLS.yonhap);
  await setReplayClock("2019-01-01T00:00:00Z");
  korean = (await track(KOREAN_URL)).json.id;
  const edited = await editedKoreanHtml();
  adHocOrigin().serve(KOREAN_URL, answerWith(edited, "text/html; charset=utf-8"));
  expect((await check(korean)).json.version?.n).toBe(2);
  vi.restoreAllMocks();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("GET /articles/:id/diff/:from..:to/image.png", () => {
  it("is a 1200 px wide PNG of the Korean edit, drawn in workerd", async () => {
    const response = await getRaw(`/articles/${korean}/diff/1..2/image.png`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("image/png");
    const header = pngHeader(new Uint8Array(await response.arrayBuffer()));
    expect(header.signature).toEqual(PNG_SIGNATURE);
    expect(header.chunk).toBe("IHDR");
    expect(header.width).toBe(1200);
    expect(header.height).toBeGreaterThan(400);
    expect(header.height).toBeLessThanOrEqual(2400);
  });

  it("is cached for long under an ETag of the two versions, and a request holding it gets a 304 without a body", async () => {
    const path = `/articles/${yonhap}/diff/1..2/image.png`;
    const first = await getRaw(path);
    const etag = first.headers.get("ETag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9+/]{27}"$/);
    expect(first.headers.get("Cache-Control")).toBe("public, max-age=31536000");
    const again = await getRaw(path, { "If-None-Match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(etag);
    expect(await again.text()).toBe("");
    // The SVG of the same diff is another representation, with its own tag.
    expect((await getRaw(`/articles/${yonhap}/diff/1..2/image.svg`)).headers.get("ETag")).not.toBe(etag);
  });
});

describe("GET /articles/:id/diff/:from..:to/image.svg", () => {
  it("is the redline SVG of the Yonhap stealth edit, six struck through and five underlined", async () => {
    const response = await getRaw(`/articles/${yonhap}/diff/1..2/image.svg`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("image/svg+xml; charset=utf-8");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    const svg = await response.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="1200" /);
    expect(svg).toContain('<tspan fill="#b3261e" text-decoration="line-through">six</tspan><tspan fill="#0a6b2d" text-decoration="underline">five</tspan>');
  });

  it("draws the versions in the order asked: 2..1 strikes five and underlines six", async () => {
    const svg = await (await getRaw(`/articles/${yonhap}/diff/2..1/image.svg`)).text();
    expect(svg).toContain('<tspan fill="#b3261e" text-decoration="line-through">five</tspan><tspan fill="#0a6b2d" text-decoration="underline">six</tspan>');
  });
});

describe("changeImage, the image of a recorded change (EditNotice.image)", () => {
  it("is the PNG, SVG and alt text of the change's two versions, and null for a change that compares none", async () => {
    const store = new RedlineStore(env.DB, env.REDLINE_KV);
    const { items } = await store.listArticleChanges(yonhap, 10, null);
    const edit = items.find((change) => change.from === 1 && change.to === 2)!;
    const image = (await changeImage(store, edit))!;
    expect(pngHeader(image.png)).toMatchObject({ signature: PNG_SIGNATURE, width: 1200, height: image.height });
    expect(image.width).toBe(1200);
    expect(image.svg).toContain('text-decoration="line-through">six</tspan>');
    expect(image.alt).toMatch(/\. en\.yna\.co\.kr replaced “six-fold” with “five-fold” in paragraph 1\.$/);
    const created = items.find((change) => change.from === null)!;
    expect(await changeImage(store, created)).toBeNull();
  });
});

describe("what an image costs", () => {
  async function measured(path: string, headers: Record<string, string> = {}) {
    const probe = instrumented();
    const response = await app.fetch(new Request(`http://redline.test${path}`, { headers }), probe.env);
    await response.arrayBuffer();
    return { status: response.status, kv: probe.counts.kvReads + probe.counts.kvWrites, trips: probe.d1.trips, rowsRead: probe.d1.rowsRead, rowsWritten: probe.d1.rowsWritten };
  }

  it("is the head, the version index and the two versions; a 304 stops after the index", async () => {
    const path = `/articles/${yonhap}/diff/1..2/image.svg`;
    const full = await measured(path);
    expect(full).toEqual({ status: 200, kv: 2, trips: [["SELECT articles"], ["SELECT versions"], ["SELECT versions"], ["SELECT versions"]], rowsRead: 7, rowsWritten: 0 });
    const etag = (await getRaw(path)).headers.get("ETag")!;
    expect(await measured(path, { "If-None-Match": etag })).toEqual({ status: 304, kv: 0, trips: [["SELECT articles"], ["SELECT versions"]], rowsRead: 5, rowsWritten: 0 });
  });
});

describe("bad ranges", () => {
  const detail = async (path: string): Promise<{ status: number; type: string | null; body: { status: number; detail: string } }> => {
    const response = await getRaw(path);
    return { status: response.status, type: response.headers.get("Content-Type"), body: await response.json() };
  };

  it.each([
    ["one version twice", "2..2/image.png", 400, "`from` and `to` must name two different versions."],
    ["no range", "2/image.svg", 400, "A diff page names two versions as <from>..<to>, e.g. 1..2, not \"2\"."],
    ["a version that is no number", "1..x/image.png", 400, "`to` must be a version number (1, 2, …), not \"x\"."],
    ["a version the article does not have", "1..9/image.png", 404, "has no version 9; it has 2."],
  ])("%s is a problem+json", async (_, range, status, message) => {
    const { status: got, type, body } = await detail(`/articles/${yonhap}/diff/${range}`);
    expect({ got, type, status: body.status }).toEqual({ got: status, type: "application/problem+json", status });
    expect(body.detail).toContain(message);
  });

  it("an unknown article is a 404 problem", async () => {
    const { status, type } = await detail("/articles/0000000000000000/diff/1..2/image.svg");
    expect({ status, type }).toEqual({ status: 404, type: "application/problem+json" });
  });
});

describe("the diff page", () => {
  it("links its image as SVG and as PNG", async () => {
    const html = await page(`/articles/${yonhap}/diff/1..2`);
    expect(html).toContain(`Image: <a href="/articles/${yonhap}/diff/1..2/image.svg">SVG</a> · <a href="/articles/${yonhap}/diff/1..2/image.png">PNG</a>`);
  });
});
