import type { ArticleRecord, VersionRecord } from "../../storage/records";
import { articlePath, diffPath, Instant, rawCapturePath, versionPath } from "../components";
import { Layout, type FeedRef } from "../layout";

interface VersionPageProps {
  article: ArticleRecord;
  version: VersionRecord;
  feed: FeedRef;
}

/** The text of one version as it was captured, with its neighbours a link away. */
export function VersionPage({ article, version, feed }: VersionPageProps) {
  const { n } = version;
  const hasPrevious = n > 1;
  const hasNext = n < article.versionCount;
  return (
    <Layout title={`${version.title || article.url} (version ${n})`} feed={feed}>
      <p class="meta"><a href={articlePath(article.id)}>← All versions and changes of this article</a></p>
      <h1>{version.title}</h1>
      <dl class="facts">
        <dt>Version</dt>
        <dd>{n} of {article.versionCount}</dd>
        <dt>Captured</dt>
        <dd><Instant iso={version.capturedAt} /></dd>
        <dt>Byline</dt>
        <dd>{version.byline ?? "none"}</dd>
        {/* The site's own timestamps, in the site's own offset. */}
        <dt>Published (site)</dt>
        <dd>{version.publishedAt ?? "not shown"}</dd>
        <dt>Modified (site)</dt>
        <dd>{version.modifiedAt ?? "not shown"}</dd>
        <dt>Served from</dt>
        <dd>{version.finalUrl}</dd>
        <dt>Content SHA-256</dt>
        <dd><code>{version.contentHash}</code></dd>
      </dl>
      <nav class="pager" aria-label="Versions">
        {hasPrevious ? <a href={versionPath(article.id, n - 1)} rel="prev">← Version {n - 1}</a> : null}
        {hasPrevious ? <a href={diffPath(article.id, n - 1, n)}>Changes from version {n - 1}</a> : null}
        <a href={rawCapturePath(article.id, n)}>Raw capture</a>
        {hasNext ? <a href={versionPath(article.id, n + 1)} rel="next">Version {n + 1} →</a> : null}
      </nav>
      <h2>Text as captured</h2>
      <div class="article-text">
        {version.paragraphs.map((paragraph) => <p>{paragraph}</p>)}
      </div>
    </Layout>
  );
}
