/**
 * Read-only access to the KV-only layout Redline used before D1 (commit 6253bff; the keys are
 * `legacyKeys` in ./keys.ts). Only the migration (./migrate.ts) uses it; nothing writes these
 * keys any more. Each method is one KV operation.
 */
import { legacyKeys } from "./keys";
import type { ArticleRecord, ChangeRecord, CronRunRecord, SubscriptionRecord, VersionRecord } from "./records";

export interface KeyPage {
  names: string[];
  /** Where the next page starts, or null after the last. */
  cursor: string | null;
}

export class LegacyKvLayout {
  constructor(private readonly kv: KVNamespace) {}

  /** Article ids in key order, `limit` at a time, from a KV list cursor (null: the first page). */
  async listArticleIds(cursor: string | null, limit: number): Promise<KeyPage> {
    return this.listNames(legacyKeys.articlePrefix, cursor, limit);
  }

  async listSubscriptionIds(cursor: string | null, limit: number): Promise<KeyPage> {
    return this.listNames(legacyKeys.subscriptionPrefix, cursor, limit);
  }

  private async listNames(prefix: string, cursor: string | null, limit: number): Promise<KeyPage> {
    const page = await this.kv.list({ prefix, limit, ...(cursor ? { cursor } : {}) });
    return { names: page.keys.map((key) => key.name.slice(prefix.length)), cursor: page.list_complete ? null : page.cursor };
  }

  /** The article as the old code stored it, with any field an early record lacks filled in. */
  async getArticle(id: string): Promise<ArticleRecord | null> {
    const stored = await this.kv.get<Partial<ArticleRecord>>(legacyKeys.article(id), "json");
    if (!stored || typeof stored.url !== "string" || typeof stored.firstSeenAt !== "string") return null;
    return {
      id,
      url: stored.url,
      site: stored.site ?? new URL(stored.url).hostname,
      title: stored.title ?? "",
      tracking: stored.tracking ?? true,
      status: stored.status ?? "active",
      firstSeenAt: stored.firstSeenAt,
      lastCheckedAt: stored.lastCheckedAt ?? null,
      lastChangedAt: stored.lastChangedAt ?? stored.firstSeenAt,
      nextCheckAt: stored.nextCheckAt ?? new Date(0).toISOString(),
      versionCount: stored.versionCount ?? 0,
      changeCount: stored.changeCount ?? 0,
      latestHash: stored.latestHash ?? null,
      finalUrl: stored.finalUrl ?? null,
      etag: stored.etag ?? null,
      lastModified: stored.lastModified ?? null,
      consecutiveFailures: stored.consecutiveFailures ?? 0,
      consecutiveMissing: stored.consecutiveMissing ?? 0,
      lastError: stored.lastError ?? null,
      // The KV-only layout had no sources, so nothing it tracked retires.
      retireAt: null,
    };
  }

  /** Exactly as stored (the hash chain covers these bytes' JSON). */
  getVersion(id: string, n: number): Promise<VersionRecord | null> {
    return this.kv.get<VersionRecord>(legacyKeys.version(id, n), "json");
  }

  getChange(id: string, seq: number): Promise<ChangeRecord | null> {
    return this.kv.get<ChangeRecord>(legacyKeys.change(id, seq), "json");
  }

  getSubscription(id: string): Promise<SubscriptionRecord | null> {
    return this.kv.get<SubscriptionRecord>(legacyKeys.subscription(id), "json");
  }

  getCronRun(): Promise<CronRunRecord | null> {
    return this.kv.get<CronRunRecord>(legacyKeys.cronLast, "json");
  }
}
