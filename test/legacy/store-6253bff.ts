// Frozen copy of src/storage/store.ts at commit 6253bff (the KV-only layout): the test writes an old deployment's KV
// with the old writer and asks the old reader what the old API answered. Only the import paths differ. Do not edit.
/**
 * All KV access goes through this class, so the key layout and the write order that keeps
 * history consistent live in one place.
 */
import { gunzip, gzip } from "../../src/archive/gzip";
import { detectedAtFromFeedKey, idFromArticleKey, keys, seqFromChangeKey } from "./keys-6253bff";
import type { SubscriptionFilter, SubscriptionRecord } from "../../src/storage/records";
import type {
  ArticleRecord,
  ChangeListItem,
  ChangeRecord,
  CronRunRecord,
  VersionRecord,
  VersionSummary,
} from "../../src/storage/records";

/** KV list metadata may hold at most 1024 bytes of JSON. */
const METADATA_LIMIT = 1024;
/** KV refuses values over 25 MiB. */
const KV_VALUE_LIMIT = 25 * 1024 * 1024;

/** Article metadata: enough to schedule and count without reading the article. */
export interface ArticleIndexEntry {
  id: string;
  nextCheckAt: number;
  tracking: boolean;
  status: ArticleRecord["status"];
  versionCount: number;
  changeCount: number;
}

type ArticleMetadata = Omit<ArticleIndexEntry, "id">;

/** Subscription metadata: what fan-out needs to match changes without reading each subscription. */
export interface SubscriptionIndexEntry {
  filter: SubscriptionFilter;
  createdAt: string;
}
type FeedMetadata = ChangeListItem | { id: string; articleId: string; seq: number; partial: true };

export interface Page<T> {
  items: T[];
  cursor: string | null;
}

function fitsMetadata(value: unknown): boolean {
  return new TextEncoder().encode(JSON.stringify(value)).byteLength <= METADATA_LIMIT;
}

export class RedlineStore {
  constructor(private readonly kv: KVNamespace) {}

  getArticle(id: string): Promise<ArticleRecord | null> {
    return this.kv.get<ArticleRecord>(keys.article(id), "json");
  }

  async putArticle(article: ArticleRecord): Promise<void> {
    const metadata: ArticleMetadata = {
      nextCheckAt: Date.parse(article.nextCheckAt),
      tracking: article.tracking,
      status: article.status,
      versionCount: article.versionCount,
      changeCount: article.changeCount,
    };
    await this.kv.put(keys.article(article.id), JSON.stringify(article), { metadata });
  }

  async listArticles(limit: number, cursor: string | null): Promise<Page<ArticleRecord>> {
    const page = await this.kv.list({ prefix: keys.articlePrefix, limit, ...(cursor ? { cursor } : {}) });
    const articles = await Promise.all(page.keys.map((key) => this.getArticle(idFromArticleKey(key.name))));
    return {
      items: articles.filter((article): article is ArticleRecord => article !== null),
      cursor: page.list_complete ? null : page.cursor,
    };
  }

  /** Every article's scheduling state, one KV list call per 1000 articles. */
  async *scanArticleIndex(): AsyncGenerator<ArticleIndexEntry> {
    for await (const { name, metadata } of this.everyKeyWithMetadata<ArticleMetadata>(keys.articlePrefix)) {
      yield { id: idFromArticleKey(name), ...metadata };
    }
  }

  /** Every key under `prefix` that carries metadata, one KV list call per 1000 keys. */
  private async *everyKeyWithMetadata<Metadata>(prefix: string): AsyncGenerator<{ name: string; metadata: Metadata }> {
    let cursor: string | undefined;
    do {
      const page = await this.kv.list<Metadata>({ prefix, ...(cursor ? { cursor } : {}) });
      for (const { name, metadata } of page.keys) {
        if (metadata) yield { name, metadata };
      }
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
  }

  getVersion(articleId: string, n: number): Promise<VersionRecord | null> {
    return this.kv.get<VersionRecord>(keys.version(articleId, n), "json");
  }

  /** Versions are immutable: callers write a number only after checking it is free (see tracking/check). */
  async putVersion(articleId: string, version: VersionRecord): Promise<void> {
    const summary: VersionSummary = {
      n: version.n,
      capturedAt: version.capturedAt,
      contentHash: version.contentHash,
      title: version.title,
      modifiedAt: version.modifiedAt,
    };
    const metadata = fitsMetadata(summary) ? summary : { ...summary, title: "", partial: true };
    await this.kv.put(keys.version(articleId, version.n), JSON.stringify(version), { metadata });
  }

  /**
   * Versions 1..`versionCount`. A higher number can exist only as the leftover of a check that
   * died before updating the article; it is shown once a later check adopts it.
   */
  async listVersions(articleId: string, versionCount: number): Promise<VersionSummary[]> {
    const summaries: VersionSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.kv.list<VersionSummary & { partial?: true }>({
        prefix: keys.versionPrefix(articleId),
        ...(cursor ? { cursor } : {}),
      });
      for (const key of page.keys) {
        const metadata = key.metadata;
        if (!metadata || metadata.n > versionCount) continue;
        if (metadata.partial) {
          const version = await this.getVersion(articleId, metadata.n);
          if (version) summaries.push({ ...metadata, title: version.title });
        } else {
          summaries.push(metadata);
        }
      }
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return summaries.map(({ n, capturedAt, contentHash, title, modifiedAt }) => ({ n, capturedAt, contentHash, title, modifiedAt }));
  }

  /**
   * Stores a raw body gzip-compressed under its digest. Identical bodies share the key, and a
   * rewrite puts the same bytes, so a retried check is harmless. Returns false (storing nothing)
   * when the compressed body would exceed KV's value limit.
   */
  async putRaw(sha256: string, body: Uint8Array): Promise<boolean> {
    const compressed = await gzip(body);
    if (compressed.byteLength > KV_VALUE_LIMIT) return false;
    await this.kv.put(keys.raw(sha256), compressed, { metadata: { size: body.byteLength, gzipSize: compressed.byteLength } });
    return true;
  }

  async getRaw(sha256: string): Promise<Uint8Array | null> {
    const compressed = await this.kv.get(keys.raw(sha256), "arrayBuffer");
    return compressed ? gunzip(new Uint8Array(compressed)) : null;
  }

  getChange(articleId: string, seq: number): Promise<ChangeRecord | null> {
    return this.kv.get<ChangeRecord>(keys.change(articleId, seq), "json");
  }

  /**
   * Writes the change record, then its feed entry. Both keys are derived from the change
   * itself, so writing the same change again (a retried check) overwrites rather than adds.
   */
  async putChange(change: ChangeRecord): Promise<void> {
    const item = toListItem(change);
    const metadata: FeedMetadata = fitsMetadata(item)
      ? item
      : { id: change.id, articleId: change.articleId, seq: change.seq, partial: true };
    await this.kv.put(keys.change(change.articleId, change.seq), JSON.stringify(change), { metadata });
    const detectedAtMs = Date.parse(change.detectedAt);
    await this.kv.put(keys.changeFeed(detectedAtMs, change.articleId, change.seq), "", { metadata });
    await this.kv.put(keys.siteChangeFeed(new URL(change.url).hostname, detectedAtMs, change.articleId, change.seq), "", { metadata });
  }

  /** For a key whose metadata could not carry the list item (too large, or written before it had metadata). */
  private async readListItem(articleId: string, seq: number): Promise<ChangeListItem | null> {
    const change = await this.getChange(articleId, seq);
    return change ? toListItem(change) : null;
  }

  /**
   * One article's changes, newest first, `limit` at a time below sequence number `beforeSeq`.
   * KV lists only forwards, so this lists the article's `change:` keys (one call per 1,000
   * changes) and takes the page from the end; items come from list metadata.
   */
  async listArticleChanges(articleId: string, limit: number, beforeSeq: number | null): Promise<{ items: ChangeListItem[]; nextBeforeSeq: number | null }> {
    const found: Array<{ seq: number; metadata: FeedMetadata | undefined }> = [];
    let cursor: string | undefined;
    do {
      const page = await this.kv.list<FeedMetadata>({ prefix: keys.changePrefix(articleId), ...(cursor ? { cursor } : {}) });
      for (const key of page.keys) found.push({ seq: seqFromChangeKey(key.name), metadata: key.metadata ?? undefined });
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    const older = found.filter(({ seq }) => beforeSeq === null || seq < beforeSeq);
    const pageKeys = older.slice(-limit).reverse();
    const items = await Promise.all(pageKeys.map(({ seq, metadata }) =>
        metadata && !("partial" in metadata) ? metadata : this.readListItem(articleId, seq),
      ));
    const oldestShown = pageKeys.at(-1)?.seq;
    return {
      items: items.filter((item): item is ChangeListItem => item !== null),
      nextBeforeSeq: older.length > limit && oldestShown !== undefined ? oldestShown : null,
    };
  }

  /**
   * Newest first, of every article or of one site's (`site`, a host). Each item comes from the
   * feed key's list metadata, so a page costs one KV list call; only an item too large for
   * metadata (a very long URL or headline) costs a read.
   */
  async listChanges(limit: number, cursor: string | null, sinceMs: number | null, site: string | null = null): Promise<Page<ChangeListItem>> {
    const prefix = site === null ? keys.changeFeedPrefix : keys.siteChangeFeedPrefix(site);
    const page = await this.kv.list<FeedMetadata>({ prefix, limit, ...(cursor ? { cursor } : {}) });
    const items: ChangeListItem[] = [];
    const seen = new Set<string>();
    let reachedSince = false;
    for (const key of page.keys) {
      if (sinceMs !== null && detectedAtFromFeedKey(key.name, prefix) < sinceMs) {
        reachedSince = true;
        break;
      }
      const metadata = key.metadata;
      // Two isolates racing on one article can each index the same change; show it once.
      if (!metadata || seen.has(metadata.id)) continue;
      seen.add(metadata.id);
      const item = "partial" in metadata ? await this.readListItem(metadata.articleId, metadata.seq) : metadata;
      if (item) items.push(item);
    }
    return { items, cursor: reachedSince || page.list_complete ? null : page.cursor };
  }

  getCronRun(): Promise<CronRunRecord | null> {
    return this.kv.get<CronRunRecord>(keys.cronLast, "json");
  }

  async putCronRun(run: CronRunRecord): Promise<void> {
    await this.kv.put(keys.cronLast, JSON.stringify(run));
  }

  getSubscription(id: string): Promise<SubscriptionRecord | null> {
    return this.kv.get<SubscriptionRecord>(keys.subscription(id), "json");
  }

  /** The filter and creation time ride in the list metadata, so fanning a change out costs no reads. */
  async putSubscription(subscription: SubscriptionRecord): Promise<void> {
    const metadata: SubscriptionIndexEntry = { filter: subscription.filter, createdAt: subscription.createdAt };
    await this.kv.put(keys.subscription(subscription.id), JSON.stringify(subscription), { metadata });
  }

  async deleteSubscription(id: string): Promise<void> {
    await this.kv.delete(keys.subscription(id));
  }

  async *subscriptionIndex(): AsyncGenerator<SubscriptionIndexEntry & { id: string }> {
    for await (const { name, metadata } of this.everyKeyWithMetadata<SubscriptionIndexEntry>(keys.subscriptionPrefix)) {
      yield { id: name.slice(keys.subscriptionPrefix.length), ...metadata };
    }
  }
}

function toListItem({ id, articleId, url, title, from, to, detectedAt, kinds, summary, significance }: ChangeRecord): ChangeListItem {
  return { id, articleId, url, title, from, to, detectedAt, kinds, summary, ...(significance === undefined ? {} : { significance }) };
}
