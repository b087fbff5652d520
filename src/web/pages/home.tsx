import type { ChangeFilter } from "../../feeds/filter";
import { CHANGE_KINDS } from "../../model";
import type { ChangeListItem } from "../../storage/records";
import { articlePath, changePage, Instant, KindTags, Significance, sourcePath } from "../components";
import { Layout, type FeedRef } from "../layout";

/** What the home page lists: the feed filter, a site (a host), a source's articles (its id), and a page size (null: the default). */
export interface HomeFilter extends ChangeFilter {
  site: string | null;
  source: string | null;
  limit: number | null;
}

/** A source as the filter offers it. */
export interface SourceChoice {
  id: string;
  name: string;
}

/** The filters as query parameters, the same names the feeds take (kinds comma-separated). */
export function filterParams(filter: HomeFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.kinds) params.set("kinds", filter.kinds.join(","));
  if (filter.minSignificance > 0) params.set("min_significance", String(filter.minSignificance));
  if (filter.site) params.set("site", filter.site);
  if (filter.source) params.set("source", filter.source);
  if (filter.limit !== null) params.set("limit", String(filter.limit));
  return params;
}

const siteOf = (url: string): string => new URL(url).hostname;

function ChangeItem({ change }: { change: ChangeListItem }) {
  const site = siteOf(change.url);
  return (
    <li>
      <h2><a href={articlePath(change.articleId)}>{change.title || change.url}</a></h2>
      <p class="meta">
        <a href={`/?site=${encodeURIComponent(site)}`}>{site}</a> · detected <Instant iso={change.detectedAt} /> · <Significance value={change.significance} />
      </p>
      <p>
        <a href={changePage(change)}>{change.summary}</a>
      </p>
      <KindTags kinds={change.kinds} />
    </li>
  );
}

function Filters({ filter, sources }: { filter: HomeFilter; sources: SourceChoice[] }) {
  return (
    <form class="filters" method="get" action="/">
      <fieldset>
        <legend>Kinds (any of)</legend>
        {CHANGE_KINDS.map((kind) => (
          <label>
            <input type="checkbox" name="kinds" value={kind} checked={filter.kinds?.includes(kind) ?? false} /> {kind}
          </label>
        ))}
      </fieldset>
      <label>
        Minimum significance (0–1){" "}
        <input type="number" name="min_significance" min="0" max="1" step="0.05" value={filter.minSignificance > 0 ? String(filter.minSignificance) : ""} />
      </label>
      <label>
        Site{" "}
        <input type="text" name="site" placeholder="english.hani.co.kr" value={filter.site ?? ""} />
      </label>
      {sources.length === 0 ? null : (
        <label>
          Found by{" "}
          <select name="source">
            <option value="" selected={filter.source === null}>any source or by hand</option>
            {sources.map((source) => <option value={source.id} selected={filter.source === source.id}>{source.name}</option>)}
          </select>
        </label>
      )}
      {/* Keeps a page size given in the URL across a change of filters. */}
      {filter.limit === null ? null : <input type="hidden" name="limit" value={String(filter.limit)} />}
      <button type="submit">Filter</button>
      <a href="/">Clear filters</a>
    </form>
  );
}

interface HomePageProps {
  changes: ChangeListItem[];
  filter: HomeFilter;
  /** Query string of the next (older) page, or null on the last page. */
  olderQuery: string | null;
  isFirstPage: boolean;
  feed: FeedRef;
  /** Every source, for the filter's choice. */
  sources: SourceChoice[];
  /** The source `filter.source` names, shown as the page's subject. */
  selectedSource: SourceChoice | null;
}

export function HomePage({ changes, filter, olderQuery, isFirstPage, feed, sources, selectedSource }: HomePageProps) {
  const filtered = filterParams(filter).size > 0;
  return (
    <Layout title={selectedSource ? `Recent changes to articles found by ${selectedSource.name}` : "Recent changes"} feed={feed}>
      <h1>Recent changes to tracked articles</h1>
      {selectedSource ? (
        <p>
          Articles found by <a href={sourcePath(selectedSource.id)}>{selectedSource.name}</a>.
        </p>
      ) : null}
      <p class="muted">Newest first. Each change links to its redline: what was inserted and deleted.</p>
      <Filters filter={filter} sources={sources} />
      {changes.length === 0 ? (
        <p>{filtered ? "No change on this page matches these filters." : "No changes recorded yet."}</p>
      ) : (
        <ol class="changes">
          {changes.map((change) => <ChangeItem change={change} />)}
        </ol>
      )}
      <nav class="pager" aria-label="Pages">
        {isFirstPage ? null : <a href={`/?${filterParams(filter)}`}>Newest changes</a>}
        {olderQuery === null ? null : <a href={`/?${olderQuery}`} rel="next">Older changes</a>}
      </nav>
    </Layout>
  );
}
