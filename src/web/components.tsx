/** Small pieces shared by the pages. */
import type { ChangeKind } from "../model";
import type { ChangeListItem, SourceRecord } from "../storage/records";
import type { FeedRef } from "./layout";

export const articlePath = (articleId: string): string => `/articles/${articleId}`;
export const versionPath = (articleId: string, n: number): string => `${articlePath(articleId)}/versions/${n}`;
export const diffPath = (articleId: string, from: number, to: number): string => `${articlePath(articleId)}/diff/${from}..${to}`;
export const rawCapturePath = (articleId: string, n: number): string => `/api/articles/${articleId}/versions/${n}/raw`;
export const sourcePath = (sourceId: string): string => `/sources/${sourceId}`;

/** What a source is called on the pages: its own title, or its URL until it has one. */
export const sourceName = (source: Pick<SourceRecord, "title" | "url">): string => source.title || source.url;

/** The change feed of the articles one source found. */
export const sourceFeed = (sourceId: string, name: string): FeedRef => ({ path: `/feeds/sources/${sourceId}`, title: `Redline: changes to articles found by ${name}` });

/** Where a reader sees a change: the redline of an edit, the capture of a first version, the article otherwise. */
export function changePage(change: Pick<ChangeListItem, "articleId" | "from" | "to">): string {
  if (change.from !== null && change.to !== null && change.from !== change.to) return diffPath(change.articleId, change.from, change.to);
  if (change.to !== null) return versionPath(change.articleId, change.to);
  return articlePath(change.articleId);
}

/** Redline's own times are UTC instants; shown to the minute, with the exact instant in `datetime`. */
export function Instant({ iso }: { iso: string }) {
  return <time datetime={iso}>{`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`}</time>;
}

export function KindTags({ kinds }: { kinds: readonly ChangeKind[] }) {
  return (
    <ul class="tags" aria-label="Kinds">
      {kinds.map((kind) => <li>{kind}</li>)}
    </ul>
  );
}

/** Changes recorded before significance was scored have none; saying so beats inventing one. */
export function Significance({ value }: { value: number | undefined }) {
  return value === undefined ? (
    <span class="significance">significance not scored</span>
  ) : (
    <span class="significance">significance {value.toFixed(2)}</span>
  );
}
