import type { ArticleRecord, ChangeListItem, VersionSummary } from "../../storage/records";
import { changePage, Instant, KindTags, rawCapturePath, Significance, sourcePath, versionPath } from "../components";
import { ArticleActions } from "../admin/actions";
import { FeedLinks, Layout, type FeedRef } from "../layout";

/** A source that found the article: the link it listed and when. */
export interface FoundBy {
  sourceId: string;
  /** The source's title (or URL) now; null when the source was deleted since. */
  name: string | null;
  /** The source's URL when it found the article. */
  url: string;
  foundAt: string;
  entryTitle: string | null;
}

function FoundByFacts({ foundBy }: { foundBy: FoundBy[] }) {
  if (foundBy.length === 0) return <>added by hand</>;
  return (
    <ul class="found-by">
      {foundBy.map((source) => (
        <li>
          {source.name === null ? <>{source.url} (source since deleted)</> : <a href={sourcePath(source.sourceId)}>{source.name}</a>}, found{" "}
          <Instant iso={source.foundAt} />
          {source.entryTitle === null ? null : <> as “{source.entryTitle}”</>}
        </li>
      ))}
    </ul>
  );
}

/** Its status and whether it is still checked; a retired article says when its source's trackDays ended it. */
function StatusFacts({ article }: { article: ArticleRecord }) {
  const error = article.lastError ? ` (last error: ${article.lastError})` : "";
  if (article.status === "retired") {
    return (
      <>
        retired{article.retireAt ? <> <Instant iso={article.retireAt} /></> : null}, the trackDays of the source that found it; its history is kept and a
        manual check resumes it{error}
      </>
    );
  }
  return (
    <>
      {article.status}
      {article.tracking ? ", tracked" : ", tracking stopped"}
      {article.tracking && article.retireAt ? <> until <Instant iso={article.retireAt} /></> : null}
      {error}
    </>
  );
}

interface ArticlePageProps {
  article: ArticleRecord;
  foundBy: FoundBy[];
  versions: VersionSummary[];
  /** Newest first. */
  changes: ChangeListItem[];
  /** `?before=` of the next (older) page of changes, or null when all are shown. */
  olderChangesBefore: number | null;
  feed: FeedRef;
}

export function ArticlePage({ article, foundBy, versions, changes, olderChangesBefore, feed }: ArticlePageProps) {
  return (
    <Layout title={article.title || article.url} feed={feed}>
      <h1>{article.title || article.url}</h1>
      <dl class="facts">
        <dt>URL</dt>
        <dd><a href={article.url}>{article.url}</a></dd>
        {article.finalUrl && article.finalUrl !== article.url ? (
          <>
            <dt>Final URL</dt>
            <dd>{article.finalUrl}</dd>
          </>
        ) : null}
        <dt>Status</dt>
        <dd><StatusFacts article={article} /></dd>
        <dt>Found by</dt>
        <dd><FoundByFacts foundBy={foundBy} /></dd>
        <dt>First seen</dt>
        <dd><Instant iso={article.firstSeenAt} /></dd>
        <dt>Last checked</dt>
        <dd>{article.lastCheckedAt ? <Instant iso={article.lastCheckedAt} /> : "never"}</dd>
        <dt>Archive</dt>
        <dd>
          <a href={`/timemap/link/${article.url}`}>Memento TimeMap</a> · <a href={`/api/articles/${article.id}/warc`}>WARC</a> ·{" "}
          <a href={`/api/articles/${article.id}/verify`}>verify the hash chain</a> · <a href={`/api/articles/${article.id}`}>JSON</a>
        </dd>
        <dt>Changes</dt>
        <dd><FeedLinks feed={feed} /></dd>
      </dl>
      <ArticleActions article={article} />

      <h2 id="changes">Changes, newest first</h2>
      {changes.length === 0 ? <p>No changes recorded.</p> : (
        <ol class="changes">
          {changes.map((change) => (
            <li>
              <p>
                <a href={changePage(change)}>{change.summary}</a>
              </p>
              <p class="meta">
                detected <Instant iso={change.detectedAt} /> · <Significance value={change.significance} />
                {change.from !== null && change.to !== null && change.from !== change.to ? ` · version ${change.from} → ${change.to}` : ""}
              </p>
              <KindTags kinds={change.kinds} />
            </li>
          ))}
        </ol>
      )}
      {olderChangesBefore === null ? null : (
        <nav class="pager" aria-label="Pages of changes">
          <a href={`?before=${olderChangesBefore}#changes`} rel="next">Older changes</a>
        </nav>
      )}

      <h2 id="versions">Versions</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Captured</th>
            <th scope="col">Headline</th>
            <th scope="col">Capture</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((version) => (
            <tr>
              <td><a href={versionPath(article.id, version.n)}>Version {version.n}</a></td>
              <td><Instant iso={version.capturedAt} /></td>
              <td>{version.title}</td>
              <td><a href={rawCapturePath(article.id, version.n)}>raw capture of version {version.n}</a></td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}
