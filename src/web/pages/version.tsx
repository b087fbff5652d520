import type { ArticleRecord, VersionRecord } from "../../storage/records";
import type { WaybackCapture } from "../../storage/wayback";
import { articlePath, diffPath, Instant, rawCapturePath, versionPath } from "../components";
import { Layout, type FeedRef } from "../layout";

interface VersionPageProps {
  article: ArticleRecord;
  version: VersionRecord;
  feed: FeedRef;
  /** The Wayback Machine's capture requested for this version (the wayback channel), or null. */
  wayback: WaybackCapture | null;
}

/**
 * Where the Wayback Machine stands on this version. Its capture is of the live page a little
 * after Redline's, so it may already show a later edit: said beside the link.
 */
function WaybackNote({ capture }: { capture: WaybackCapture }) {
  if (capture.status === "success" && capture.mementoUrl !== null && capture.mementoAtMs !== null) {
    return (
      <p class="meta">
        Also archived at the Wayback Machine: <a href={capture.mementoUrl}>{capture.mementoUrl}</a> (captured <Instant iso={new Date(capture.mementoAtMs).toISOString()} />, from the live page shortly after this version, so it may differ).
      </p>
    );
  }
  if (capture.status === "failed") return <p class="meta">The Wayback Machine did not capture this version: {capture.error ?? "no reason given"}.</p>;
  if (capture.status === "retry" && capture.error !== null) return <p class="meta">The Wayback Machine has not captured this version yet: {capture.error}.</p>;
  return <p class="meta">A Wayback Machine capture of this version has been requested and has not finished yet.</p>;
}

/** The text of one version as it was captured, with its neighbours a link away. */
export function VersionPage({ article, version, feed, wayback }: VersionPageProps) {
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
      {wayback ? <WaybackNote capture={wayback} /> : null}
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
