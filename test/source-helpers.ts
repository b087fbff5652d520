/**
 * Sources for the tests of source checks: rows inserted as POST /api/sources would leave them
 * (id from the URL, due now), and RSS bodies built from entry lists, served by the ad-hoc origin.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, vi } from "vitest";
import { adHocOrigin, answerWith, type AdHocOrigin } from "./ad-hoc-origin";
import { reset, setReplayClock } from "./helpers";
import { captureChecks, type CapturedChecks } from "./queue-helpers";
import { articleIdFor } from "../src/fetching/url";
import type { SourceHead } from "../src/storage/source-checks";
import { SourceChecks } from "../src/storage/source-checks";

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** A time a month ahead of the clock: the consumer works as of max(now, the message's time). */
export const T = Math.ceil(Date.now() / HOUR) * HOUR + 30 * DAY;
/** The feed most source-check tests serve from the ad-hoc origin. */
export const FEED = "https://feeds.redline.test/world.xml";

/** The fixtures' site, and an RSS feed on it of one entry (plain.html): what the source API and admin page tests add. */
export const SITE = "https://fixtures.redline.test";
export const DEFENCE_FEED = `${SITE}/feeds/defence.xml`;
export const DEFENCE_RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Defence &amp; talks</title><link>${SITE}/</link><description>d</description>
<item><title>Allies resume talks</title><link>${SITE}/articles/plain.html</link><pubDate>Tue, 19 Nov 2019 08:00:00 GMT</pubDate></item>
</channel></rss>`;

/** A fresh state (migrations re-applied) and an ad-hoc origin serving DEFENCE_FEED; returns the origin. */
export async function freshWithDefenceFeed(): Promise<AdHocOrigin> {
  await reset();
  const origin = adHocOrigin();
  origin.serve(DEFENCE_FEED, answerWith(DEFENCE_RSS, "application/rss+xml; charset=utf-8"));
  return origin;
}

/** What a source-check test works with: the checks queue captured, and the ad-hoc origin serving its sources. */
export interface SourceCheckBed {
  queue: CapturedChecks;
  origin: AdHocOrigin;
}

/**
 * Registers, for every test of the calling file, a fresh state (migrations re-applied), the
 * replay clock before every fixture story, the checks queue captured and an ad-hoc origin; all
 * undone after each test. The returned object's fields are each test's own.
 */
export function useSourceCheckBed(): SourceCheckBed {
  const bed = {} as SourceCheckBed;
  beforeEach(async () => {
    await reset();
    await setReplayClock("2019-06-01T00:00:00Z");
    bed.queue = captureChecks();
    bed.origin = adHocOrigin();
  });
  afterEach(() => {
    bed.queue.spies.forEach((spy) => spy.mockRestore());
    vi.restoreAllMocks();
  });
  return bed;
}

export interface SourceFields {
  url: string;
  type?: string | null;
  filter?: object;
  trackDays?: number | null;
  status?: string;
  nextCheckAt: number;
  intervalMs?: number;
}

/** Inserts a source row; returns its id (as an article's: from the URL). */
export async function insertSource(fields: SourceFields): Promise<string> {
  const id = await articleIdFor(fields.url);
  await env.DB.prepare(
    `INSERT INTO sources (id, url, site, type, status, filter, track_days, interval_ms, created_at, next_check_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, '2026-01-01T00:00:00.000Z', ?)`,
  )
    .bind(
      id,
      fields.url,
      new URL(fields.url).hostname,
      fields.type === undefined ? "rss" : fields.type,
      fields.status ?? "active",
      JSON.stringify(fields.filter ?? {}),
      fields.trackDays ?? null,
      fields.intervalMs ?? 15 * 60 * 1000,
      fields.nextCheckAt,
    )
    .run();
  return id;
}

export async function sourceHead(id: string): Promise<SourceHead> {
  const head = await new SourceChecks(env.DB).getSource(id);
  if (!head) throw new Error(`no source ${id}`);
  return head;
}

/** The row as stored, every column. */
export async function sourceRow(id: string): Promise<Record<string, unknown>> {
  return (await env.DB.prepare("SELECT * FROM sources WHERE id = ?").bind(id).first<Record<string, unknown>>())!;
}

export async function entryRows(sourceId: string): Promise<Array<{ url: string; state: string; retry_at: number | null; last_error: string | null }>> {
  const { results } = await env.DB.prepare("SELECT url, state, retry_at, last_error FROM source_entries WHERE source_id = ? ORDER BY found_at, url")
    .bind(sourceId)
    .all<{ url: string; state: string; retry_at: number | null; last_error: string | null }>();
  return results;
}

export interface FeedItem {
  link: string;
  title?: string;
  description?: string;
  pubDate?: Date;
}

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** An RSS 2.0 channel listing `items` in the given order. */
export function rss(items: FeedItem[], title = "Test feed"): string {
  const body = items
    .map(
      (item) =>
        `<item><title>${escapeXml(item.title ?? item.link)}</title><link>${escapeXml(item.link)}</link>` +
        (item.description ? `<description>${escapeXml(item.description)}</description>` : "") +
        (item.pubDate ? `<pubDate>${item.pubDate.toUTCString()}</pubDate>` : "") +
        "</item>",
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${escapeXml(title)}</title><link>https://feeds.redline.test/</link><description>d</description>\n${body}\n</channel></rss>`;
}

/** Fixture article pages the replay origin serves under any query (plain.html?n=…), one per n. */
export const storyUrl = (n: number) => `https://fixtures.redline.test/articles/plain.html?n=${n}`;
