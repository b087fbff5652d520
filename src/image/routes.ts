/**
 * `GET /articles/:id/diff/:from..:to/image.svg` and `…/image.png`: the redline image of a diff
 * page. Stored versions never change, so the image of two versions is cached for long, named by
 * an ETag over the two versions' content digests (and the image layout's revision); a request
 * that holds it is answered 304 after one query of the version index, before any version is read.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { loadArticle, loadVersion } from "../api/articles";
import { versionRange } from "../api/params";
import { problem } from "../api/problem";
import type { AppEnv } from "../app-env";
import { sha256Base64 } from "../digest";
import { diffInHistory } from "../diffing";
import { versionLabel, type DiffDocument } from "../diffing/render/document";
import { RENDERING_HEADERS } from "../security-headers";
import { redlineSvg } from "./index";
import { svgToPng } from "./png";

/** Bumped whenever the image's look changes, so that cached images are fetched again. */
const IMAGE_REVISION = 1;

const IMAGE_CACHE = "public, max-age=31536000";

/** Whether `If-None-Match` names `etag` (or is `*`). */
const holds = (ifNoneMatch: string | undefined, etag: string): boolean =>
  ifNoneMatch !== undefined && ifNoneMatch.split(",").some((tag) => ["*", etag, `W/${etag}`].includes(tag.trim()));

type ImageContext = Context<AppEnv>;

/**
 * The diff document of the request's range with its ETag, or the 304 that answers it: the head
 * read, one query of the version index, and (unless the client holds the image) the two versions.
 */
async function imageSource(c: ImageContext, format: "svg" | "png"): Promise<{ document: DiffDocument; etag: string } | Response> {
  const { store } = c.var.tracker;
  const article = await loadArticle(store, c.req.param("id") ?? "");
  const [from, to] = versionRange(c.req.param("range") ?? "");
  const history = await store.listVersions(article.id);
  const before = history.find((version) => version.n === from);
  const after = history.find((version) => version.n === to);
  if (!before || !after) throw problem(404, `Article ${article.id} has no version ${before ? to : from}; it has ${history.length}.`);
  const etag = `"${(await sha256Base64(`${IMAGE_REVISION} ${format} ${article.id} ${from}:${before.contentHash} ${to}:${after.contentHash}`)).slice(0, 27)}"`;
  if (holds(c.req.header("If-None-Match"), etag)) return new Response(null, { status: 304, headers: { ETag: etag, "Cache-Control": IMAGE_CACHE } });
  const [beforeRecord, afterRecord] = await Promise.all([loadVersion(store, article, from), loadVersion(store, article, to)]);
  const document = { articleUrl: article.url, from: versionLabel(beforeRecord), to: versionLabel(afterRecord), diff: diffInHistory(beforeRecord, afterRecord, history) };
  return { document, etag };
}

const imageHeaders = (contentType: string, etag: string): Record<string, string> => ({
  ...RENDERING_HEADERS,
  "Content-Type": contentType,
  ETag: etag,
  "Cache-Control": IMAGE_CACHE,
});

export const images = new Hono<AppEnv>();

images.get("/articles/:id/diff/:range/image.svg", async (c) => {
  const source = await imageSource(c, "svg");
  if (source instanceof Response) return source;
  return c.body(redlineSvg(source.document).svg, 200, imageHeaders("image/svg+xml; charset=utf-8", source.etag));
});

images.get("/articles/:id/diff/:range/image.png", async (c) => {
  const source = await imageSource(c, "png");
  if (source instanceof Response) return source;
  const png = await svgToPng(redlineSvg(source.document).svg);
  return new Response(png, { status: 200, headers: imageHeaders("image/png", source.etag) });
});
