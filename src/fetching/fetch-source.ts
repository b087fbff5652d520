/**
 * One polite HTTP fetch of a source (feed, sitemap, section page): the same request loop as an
 * article page (src/fetching/fetch-page.ts: host rules on every hop, redirects, timeout,
 * validators, Retry-After), but any Content-Type is read, the body is left undecoded (the
 * source parser reads the XML or JSON declaration itself), and the size cap is the source's.
 */
import { fetchBody, type BodyFetchOutcome, type FetchOptions } from "./fetch-page";

/** Feeds first, then the generic XML/JSON types servers label them with, then a section page. */
export const SOURCE_ACCEPT =
  "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5";

/** A sitemap holds up to 50,000 URLs and 50 MB uncompressed (sitemaps.org); real news feeds are far smaller. */
export const DEFAULT_SOURCE_MAX_BYTES = 10 * 1024 * 1024;

/** `FetchOutcome` with the ok case carrying the raw body and its Content-Type (no HTML requirement). */
export type SourceFetchOutcome = BodyFetchOutcome;

export async function fetchSource(url: string, options: FetchOptions): Promise<SourceFetchOutcome> {
  return fetchBody(url, options, { accept: SOURCE_ACCEPT, noun: "source", maxBytes: options.sourceMaxBytes ?? DEFAULT_SOURCE_MAX_BYTES });
}
