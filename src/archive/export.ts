/**
 * Stored versions as WARC captures, read lazily: one version record and one raw body per
 * capture the WARC writer pulls; the version lists come from D1.
 */
import { GENERIC_PROFILE_NAME, profileFor } from "../extraction/profiles";
import type { ArticleRecord, VersionRecord } from "../storage/records";
import type { RedlineStore } from "../storage/store";
import { recordDigest } from "./chain";
import type { WarcCapture } from "./warc";

async function captureOf(store: RedlineStore, article: ArticleRecord, version: VersionRecord): Promise<WarcCapture> {
  const metadata: Array<[string, string]> = [
    ["redline-article-id", article.id],
    ["redline-article-url", article.url],
    ["redline-version", String(version.n)],
    ["redline-captured-at", version.capturedAt],
    ["redline-content-sha256", version.contentHash],
    ["redline-record-sha256", await recordDigest(version)],
    ["redline-prev-record-sha256", version.prevRecordSha256 ?? "none"],
    // Versions do not record which profile extracted them; this is the one the host has now.
    ["redline-site-profile", profileFor(version.finalUrl)?.name ?? GENERIC_PROFILE_NAME],
    ...(version.raw ? [["redline-raw-sha256", version.raw.sha256] as [string, string]] : []),
  ];
  const base = { id: `${article.id}/${version.n}`, capturedAt: version.capturedAt, targetUri: version.finalUrl, metadata };
  if (!version.raw) return { ...base, response: null, unavailable: "captured before Redline kept raw responses; only the extracted text exists" };
  if (!version.raw.stored) return { ...base, response: null, unavailable: `not kept: ${version.raw.reason ?? "no reason recorded"}` };
  const body = await store.getRaw(version.raw.sha256);
  if (!body) return { ...base, response: null, unavailable: `missing from storage; GET /api/articles/${article.id}/verify reports it` };
  return { ...base, response: { status: version.raw.status, headers: version.raw.headers, body } };
}

/** An article's captures at or after `sinceMs` (all of them for null), oldest first. */
export async function* articleCaptures(store: RedlineStore, article: ArticleRecord, sinceMs: number | null): AsyncGenerator<WarcCapture> {
  for (const summary of await store.listVersionsSince(article.id, sinceMs)) {
    const version = await store.getVersion(article.id, summary.n);
    if (version) yield await captureOf(store, article, version);
  }
}

/** Every article's captures at or after `sinceMs`, article by article in id order. */
export async function* capturesSince(store: RedlineStore, sinceMs: number): AsyncGenerator<WarcCapture> {
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<RedlineStore["listArticles"]>> = await store.listArticles(100, cursor);
    for (const article of page.items) if (article.versionCount > 0) yield* articleCaptures(store, article, sinceMs);
    cursor = page.cursor;
  } while (cursor);
}
