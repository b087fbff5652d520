import { FEED_FORMATS, type Feed, type FeedEntry, type FeedFormat } from "./model";
import { stripIllegalXmlCharacters, xmlText } from "./xml";

const GENERATOR = "Redline";

/** Atom 1.0 (RFC 4287), with RFC 5005 paging links. */
function atom(feed: Feed): string {
  const entry = (item: FeedEntry): string => `  <entry>
    <id>${xmlText(item.id)}</id>
    <title>${xmlText(item.title)}</title>
    <published>${item.detectedAt}</published>
    <updated>${item.detectedAt}</updated>
    <link rel="alternate" type="text/html" href="${xmlText(item.link)}"/>
    <link rel="related" href="${xmlText(item.articleUrl)}"/>
    <summary>${xmlText(item.summary)}</summary>
${item.contentHtml === null ? "" : `    <content type="html">${xmlText(item.contentHtml)}</content>\n`}${item.kinds.map((kind) => `    <category term="${xmlText(kind)}"/>`).join("\n")}
  </entry>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${xmlText(feed.id)}</id>
  <title>${xmlText(feed.title)}</title>
  <subtitle>${xmlText(feed.description)}</subtitle>
  <updated>${feed.updated}</updated>
  <author><name>${GENERATOR}</name></author>
  <generator>${GENERATOR}</generator>
  <link rel="self" type="application/atom+xml" href="${xmlText(feed.selfUrl)}"/>
  <link rel="alternate" href="${xmlText(feed.homeUrl)}"/>
${feed.nextUrl ? `  <link rel="next" href="${xmlText(feed.nextUrl)}"/>\n` : ""}${feed.entries.map(entry).join("\n")}
</feed>
`;
}

/** RSS 2.0 dates are RFC 822 (`Tue, 19 Nov 2019 08:44:00 GMT`). */
const rfc822 = (iso: string): string => new Date(iso).toUTCString();

/** RSS 2.0, with the Atom namespace for `self` and RFC 5005 `next` links (as RFC 5005 allows) and `content:encoded` for the redline. */
function rss(feed: Feed): string {
  const item = (entry: FeedEntry): string => `    <item>
      <guid isPermaLink="false">${xmlText(entry.id)}</guid>
      <title>${xmlText(entry.title)}</title>
      <link>${xmlText(entry.link)}</link>
      <description>${xmlText(entry.summary)}</description>
      <pubDate>${rfc822(entry.detectedAt)}</pubDate>
${entry.contentHtml === null ? "" : `      <content:encoded>${xmlText(entry.contentHtml)}</content:encoded>\n`}${entry.kinds.map((kind) => `      <category>${xmlText(kind)}</category>`).join("\n")}
    </item>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>${xmlText(feed.title)}</title>
    <link>${xmlText(feed.homeUrl)}</link>
    <description>${xmlText(feed.description)}</description>
    <lastBuildDate>${rfc822(feed.updated)}</lastBuildDate>
    <generator>${GENERATOR}</generator>
    <atom:link rel="self" type="application/rss+xml" href="${xmlText(feed.selfUrl)}"/>
${feed.nextUrl ? `    <atom:link rel="next" href="${xmlText(feed.nextUrl)}"/>\n` : ""}${feed.entries.map(item).join("\n")}
  </channel>
</rss>
`;
}

/**
 * JSON Feed 1.1. JSON can carry any character, but readers often re-emit entries as XML or
 * HTML, so the same illegal control characters are dropped for consistency.
 */
function jsonFeed(feed: Feed): string {
  const clean = (text: string): string => stripIllegalXmlCharacters(text);
  return JSON.stringify({
    version: "https://jsonfeed.org/version/1.1",
    title: clean(feed.title),
    description: clean(feed.description),
    home_page_url: feed.homeUrl,
    feed_url: feed.selfUrl,
    ...(feed.nextUrl ? { next_url: feed.nextUrl } : {}),
    items: feed.entries.map((entry) => ({
      id: entry.id,
      url: entry.link,
      external_url: entry.articleUrl,
      title: clean(entry.title),
      summary: clean(entry.summary),
      ...(entry.contentHtml === null ? { content_text: clean(entry.summary) } : { content_html: clean(entry.contentHtml) }),
      date_published: entry.detectedAt,
      tags: entry.kinds,
      // JSON Feed extensions start with an underscore; readers that do not know it skip it.
      ...(entry.significance === null ? {} : { _redline: { significance: entry.significance } }),
    })),
  });
}

const BUILDERS: Record<FeedFormat, (feed: Feed) => string> = { atom, rss, json: jsonFeed };

export function buildFeed(feed: Feed, format: FeedFormat): { body: string; contentType: string } {
  return { body: BUILDERS[format](feed), contentType: FEED_FORMATS[format] };
}
