import type { SourceFilter } from "../../discovery/model";
import type { SourceRecord } from "../../storage/records";
import type { FoundArticle } from "../../storage/sources";
import { articlePath, Instant, sourceFeed, sourceName, sourcePath } from "../components";
import { AddSourceLink, SourceActions } from "../admin/actions";
import { FeedLinks, Layout, type FeedRef } from "../layout";

/** "every 15 minutes", "every 2 hours": the interval as people say it. */
function intervalText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes % 60 === 0 && minutes >= 60) return minutes === 60 ? "every hour" : `every ${minutes / 60} hours`;
  return minutes === 1 ? "every minute" : `every ${minutes} minutes`;
}

/** The status, with the error that made it `failing`. */
function StatusText({ source }: { source: SourceRecord }) {
  return (
    <>
      <span class={`status ${source.status}`}>{source.status}</span>
      {source.status === "failing" && source.lastError ? <span class="error"> — {source.lastError}</span> : null}
    </>
  );
}

/** A paused source is not checked, so it has no next check to show. */
function NextCheck({ source }: { source: SourceRecord }) {
  return source.status === "paused" ? <>not while paused</> : <Instant iso={new Date(source.nextCheckAt).toISOString()} />;
}

const sourceTypeText = (source: SourceRecord): string => source.type ?? "detected at its first check";

interface SourcesPageProps {
  sources: SourceRecord[];
  /** Query string of the next page, or null on the last. */
  moreQuery: string | null;
  /** The Worker's origin, for the curl line of the empty state. */
  origin: string;
  feed: FeedRef;
}

export function SourcesPage({ sources, moreQuery, origin, feed }: SourcesPageProps) {
  return (
    <Layout title="Sources" feed={feed}>
      <h1>Sources</h1>
      <p class="muted">
        Feeds, sitemaps and section pages Redline reads for new articles; every new entry that passes a source's filter is
        tracked. Export them as <a href="/api/sources.opml">OPML</a>.
      </p>
      <AddSourceLink />
      {sources.length === 0 ? (
        <>
          <p>No sources yet. Add a feed, sitemap or section page with the admin token:</p>
          <pre>
            <code>{`curl -X POST ${origin}/api/sources -H "Authorization: Bearer $TOKEN" \\\n     -d '{"url": "https://en.yna.co.kr/RSS/news.xml"}'`}</code>
          </pre>
        </>
      ) : (
        <table class="sources">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Last check</th>
              <th scope="col">Next check</th>
              <th scope="col">Entries seen</th>
              <th scope="col">Articles found</th>
              <th scope="col">Changes</th>
            </tr>
          </thead>
          <tbody>
            {sources.map((source) => (
              <tr>
                <td>
                  <a href={sourcePath(source.id)}>{sourceName(source)}</a>
                  {/* An untitled source is already named by its URL. */}
                  {source.title ? (
                    <>
                      <br />
                      <span class="meta">{source.url}</span>
                    </>
                  ) : null}
                </td>
                <td>{sourceTypeText(source)}</td>
                <td><StatusText source={source} /></td>
                <td>{source.lastCheckedAt ? <Instant iso={source.lastCheckedAt} /> : "never"}</td>
                <td><NextCheck source={source} /></td>
                <td>{source.entriesSeen}</td>
                <td><a href={`/?source=${source.id}`}>{`${source.articlesTracked} article${source.articlesTracked === 1 ? "" : "s"}`}</a></td>
                <td><FeedLinks feed={sourceFeed(source.id, sourceName(source))} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {moreQuery === null ? null : (
        <nav class="pager" aria-label="Pages of sources">
          <a href={`/sources?${moreQuery}`} rel="next">More sources</a>
        </nav>
      )}
    </Layout>
  );
}

/** What the filter lets through, field by field; an empty filter takes every entry. */
function FilterFacts({ filter }: { filter: SourceFilter }) {
  const list = (values: string[] | undefined) => (values && values.length > 0 ? values.join(", ") : "none");
  return (
    <dl class="filter">
      <dt>Include (URL patterns)</dt>
      <dd>{list(filter.include)}</dd>
      <dt>Exclude (URL patterns)</dt>
      <dd>{list(filter.exclude)}</dd>
      <dt>Keywords (any of)</dt>
      <dd>{list(filter.keywords)}</dd>
      <dt>Maximum age</dt>
      <dd>{filter.maxAgeDays === undefined ? "none" : `${filter.maxAgeDays} day${filter.maxAgeDays === 1 ? "" : "s"}`}</dd>
    </dl>
  );
}

function WebSubFacts({ source }: { source: SourceRecord }) {
  if (source.websubHub === null && source.websubState === null) return <>no hub advertised</>;
  return (
    <>
      {source.websubState ?? "not subscribed"}
      {/* The hub is the feed's word, not a checked URL: shown, not linked. */}
      {source.websubHub ? ` with ${source.websubHub}` : null}
      {source.websubLeaseUntil === null ? null : <>, lease until <Instant iso={new Date(source.websubLeaseUntil).toISOString()} /></>}
      {source.websubError === null ? null : <>: {source.websubError}</>}
      {source.websubIgnored === 0 ? null : <> ({source.websubIgnored} notification{source.websubIgnored === 1 ? "" : "s"} ignored: missing or wrong signature)</>}
    </>
  );
}

interface SourcePageProps {
  source: SourceRecord;
  /** Newest found first. */
  found: FoundArticle[];
  /** Query string of the next (older) page of found articles, or null on the last. */
  olderQuery: string | null;
  feed: FeedRef;
}

export function SourcePage({ source, found, olderQuery, feed }: SourcePageProps) {
  return (
    <Layout title={sourceName(source)} feed={feed}>
      <p class="meta"><a href="/sources">← All sources</a></p>
      <h1>{sourceName(source)}</h1>
      <dl class="facts">
        <dt>URL</dt>
        <dd><a href={source.url}>{source.url}</a></dd>
        <dt>Type</dt>
        <dd>{sourceTypeText(source)}</dd>
        <dt>Status</dt>
        <dd><StatusText source={source} /></dd>
        <dt>Checked</dt>
        <dd>{intervalText(source.intervalMs)}</dd>
        <dt>Last check</dt>
        <dd>{source.lastCheckedAt ? <Instant iso={source.lastCheckedAt} /> : "never"}</dd>
        <dt>Next check</dt>
        <dd><NextCheck source={source} /></dd>
        <dt>Entries seen</dt>
        <dd>{source.entriesSeen} in its last read</dd>
        <dt>Articles found</dt>
        <dd><a href={`/?source=${source.id}`}>{source.articlesTracked}</a> (their changes)</dd>
        <dt>Filter</dt>
        <dd><FilterFacts filter={source.filter} /></dd>
        <dt>Articles tracked for</dt>
        <dd>{source.trackDays === null ? "as long as they are tracked (no trackDays)" : `${source.trackDays} day${source.trackDays === 1 ? "" : "s"} after discovery, then retired`}</dd>
        <dt>WebSub</dt>
        <dd><WebSubFacts source={source} /></dd>
        <dt>Changes</dt>
        <dd><FeedLinks feed={feed} /></dd>
        <dt>Added</dt>
        <dd><Instant iso={source.createdAt} /> · <a href={`/api/sources/${source.id}`}>JSON</a></dd>
      </dl>
      <SourceActions source={source} />

      <h2 id="found">Articles it found, newest first</h2>
      {found.length === 0 ? <p>No articles found yet.</p> : (
        <table>
          <thead>
            <tr>
              <th scope="col">Found</th>
              <th scope="col">Entry title</th>
              <th scope="col">Article</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {found.map((item) => (
              <tr>
                <td><Instant iso={item.foundAt} /></td>
                <td>{item.entryTitle ?? "untitled entry"}</td>
                <td><a href={articlePath(item.article.id)}>{item.article.title || item.article.url}</a></td>
                <td>{item.article.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {olderQuery === null ? null : (
        <nav class="pager" aria-label="Pages of found articles">
          <a href={`${sourcePath(source.id)}?${olderQuery}#found`} rel="next">Older articles</a>
        </nav>
      )}
    </Layout>
  );
}
