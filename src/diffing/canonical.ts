import { sha256Hex } from "../digest";
import type { ArticleContent } from "../model";
import { normalizeText } from "./text";

/**
 * The single normaliser applied before content is hashed, stored or diffed: text fields are
 * NFC-normalised with whitespace collapsed and trimmed, blank bylines/timestamps become null and
 * blank paragraphs are dropped. Timestamps keep the site's own spelling (offset included).
 */
export function normalizeContent(content: ArticleContent): ArticleContent {
  return {
    title: normalizeText(content.title),
    byline: normalizeText(content.byline ?? "") || null,
    publishedAt: normalizeText(content.publishedAt ?? "") || null,
    modifiedAt: normalizeText(content.modifiedAt ?? "") || null,
    paragraphs: content.paragraphs.map(normalizeText).filter((paragraph) => paragraph !== ""),
  };
}

/**
 * The instant a timestamp denotes, as UTC ISO 8601, so "10:00+02:00" and "08:00Z" compare equal.
 * Unparseable values are kept verbatim and compare as text.
 */
export function canonicalInstant(timestamp: string | null): string | null {
  if (timestamp === null) return null;
  const epochMs = Date.parse(timestamp);
  return Number.isNaN(epochMs) ? timestamp : new Date(epochMs).toISOString();
}

/**
 * SHA-256 (hex) of the normalised content. Timestamps are hashed as instants, so two captures
 * hash equal exactly when `diffVersions` would report no change between them.
 */
export async function contentHash(content: ArticleContent): Promise<string> {
  const normalized = normalizeContent(content);
  const canonical = JSON.stringify([
    normalized.title,
    normalized.byline,
    canonicalInstant(normalized.publishedAt),
    canonicalInstant(normalized.modifiedAt),
    normalized.paragraphs,
  ]);
  return sha256Hex(canonical);
}
