/**
 * The migration from the KV-only layout (commit 6253bff) to D1 + content-addressed KV: every
 * `article:<id>` with its `version:` and `change:` records, every `subscription:<uuid>` and
 * `cron:last`. Each call does a bounded amount of work, counted against the per-invocation
 * limits, and returns a cursor to continue from; `POST /api/admin/migrate-kv` runs one call and
 * `npm run migrate` (scripts/migrate.mjs) calls it until it is done.
 *
 * Idempotent: rows are written INSERT OR IGNORE and only while the article row does not exist
 * (the guard of a first capture), the article row last, so an article D1 already holds — migrated
 * by an earlier run, or tracked anew — is never written again, only verified. The old keys are
 * read and never written or deleted. docs/storage.md, "Migrating from the KV-only layout",
 * explains every decision and what it costs.
 */
import { recordDigest, verifyChain, type BrokenLink } from "../archive/chain";
import { changeForVersion } from "../tracking/decide";
import { legacyKeys } from "./keys";
import type { LegacyKvLayout } from "./legacy";
import type { Meter, Usage } from "./meter";
import type { ArticleRecord, ChangeRecord, VersionRecord } from "./records";
import type { RedlineStore } from "./store";

export interface MigrationOptions {
  /** Articles taken up per call; an article continued from the previous call counts as one. */
  batch: number;
  /** KV operations this call may use (the platform allows 1,000 per invocation). */
  kvBudget: number;
  /** D1 queries this call may use (the platform allows 1,000 per invocation; a batch counts its statements). */
  d1Budget: number;
}

/** Headroom under the 1,000/1,000 limits for the route itself and rounding. */
export const DEFAULT_MIGRATION_OPTIONS: MigrationOptions = { batch: 25, kvBudget: 900, d1Budget: 900 };

/** The largest single step (a leftover version: 5 KV operations, 4 D1 queries) must fit, or a call could make no progress. */
export const MIN_BUDGET = { kv: 6, d1: 4 } as const;

/** Rows per D1 batch, whatever the budget. */
const MAX_WINDOW = 100;
/** Upper bounds per version copied (read it, write its snapshot, read its raw body to verify) and per version re-verified (snapshot, raw body). */
const KV_PER_COPIED_VERSION = 3;
/** D1 statements per copied version: its row and its search row (migrations/0005_search.sql), in one batch. */
const D1_PER_COPIED_VERSION = 2;
const KV_PER_VERIFIED_VERSION = 2;

export type ArticleOutcome =
  /** Written by this migration: rows, then the head, at revision 1. */
  | "migrated"
  /** D1 holds it as an earlier run of the migration wrote it (revision 1): nothing written, its chain verified again. */
  | "already-migrated"
  /** D1 holds it, migrated earlier and changed since (checked, stopped or resumed): nothing written, verified. */
  | "changed-since"
  /** D1 holds an article with this id and another history (tracked anew before the migration reached it): nothing written. */
  | "conflict"
  /** `article:<id>` does not hold an article record: nothing written. */
  | "unreadable";

export interface ArticleReport {
  id: string;
  outcome: ArticleOutcome;
  /** Rows written (0 for an article that was skipped); across calls for an article migrated in parts. */
  versions: number;
  changes: number;
  /** Leftover versions adopted (see {@link Leftover}). */
  adopted: number[];
  note?: string;
}

/**
 * A `version:` or `change:` key beyond the article's counts: what a check of the old code left
 * when it died before it wrote the article. A leftover version is adopted (migrated as the next
 * version, as the old code's next check would have done) when it is the next number and its
 * content hash, chain link and raw body verify; otherwise it is reported and left in KV.
 */
export interface Leftover {
  articleId: string;
  kind: "version" | "change";
  n: number;
  adopted: boolean;
  reason: string;
}

export interface VerifyFailure {
  articleId: string;
  n: number;
  field: BrokenLink["field"] | "missing" | "snapshot";
  expected: string | null;
  actual: string | null;
  detail: string;
}

export interface MigrationReport {
  /** Articles whose migration finished in this call. */
  migrated: number;
  /** Articles finished in this call without writing (already in D1, conflicting, unreadable). */
  skipped: number;
  articles: ArticleReport[];
  subscriptions: { migrated: number; skipped: number };
  /** What became of `cron:last`; null until the call that reaches it. */
  cronRun: "migrated" | "skipped" | "absent" | null;
  leftovers: Leftover[];
  /** Versions whose hash chain was checked in this call, and every broken link or missing record found. */
  verified: { ok: boolean; checked: number; failures: VerifyFailure[] };
  usage: Usage;
  /** Pass it to the next call; null once done. */
  cursor: string | null;
  done: boolean;
}

export class MigrationCursorError extends Error {}

/** Where the migration stands between calls; base64url JSON, opaque to callers. */
interface Position {
  phase: "articles" | "subscriptions" | "cron" | "done";
  /** The KV list cursor the current page of keys starts at (null: the first page). */
  list: string | null;
  /** Keys of that page already finished. */
  skip: number;
  /** The article at `skip`, part-way through. */
  part: Part | null;
}

interface Part {
  id: string;
  stage: "versions" | "changes" | "leftovers" | "extra-change" | "finish" | "verify";
  /** The next version number (or change sequence number) the stage handles. */
  next: number;
  /** The digest of version `next - 1`: the `prevRecordSha256` the next version must carry. */
  prevDigest: string | null;
  /** A link already broke: like verifyChain, later links are not checked (each depends on it). */
  broken: boolean;
  /** Leftover versions adopted so far (each with one change). */
  adopted: number[];
  /** Rows written so far. */
  versions: number;
  changes: number;
  /** For an article D1 already holds: why it is skipped, and the last version to verify. */
  outcome?: Exclude<ArticleOutcome, "migrated" | "unreadable">;
  to?: number;
  note?: string;
}

function encodePosition(position: Position): string {
  const bytes = new TextEncoder().encode(JSON.stringify(position));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodePosition(cursor: string | null): Position {
  if (cursor === null) return { phase: "articles", list: null, skip: 0, part: null };
  try {
    const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const position = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))) as Position;
    if (!["articles", "subscriptions", "cron", "done"].includes(position.phase) || typeof position.skip !== "number") throw new Error("bad shape");
    return position;
  } catch {
    throw new MigrationCursorError("`cursor` is not a cursor this endpoint returned; start again without one (the migration is idempotent).");
  }
}

const later = (a: string | null, b: string): string => (a === null || Date.parse(b) > Date.parse(a) ? b : a);

/**
 * One call of the migration: continues from `cursor` (null: the beginning) until `options.batch`
 * articles were taken up, the budget would be exceeded by the next step, or everything is done.
 * `legacy` and `store` must run over `meter`'s bindings, so the budget counts what they do.
 */
export async function migrateKvLayout(
  ports: { legacy: LegacyKvLayout; store: RedlineStore; meter: Meter },
  cursor: string | null,
  options: MigrationOptions = DEFAULT_MIGRATION_OPTIONS,
): Promise<MigrationReport> {
  return new MigrationCall(ports.legacy, ports.store, ports.meter, options).run(decodePosition(cursor));
}

class MigrationCall {
  private readonly report: MigrationReport;
  private readonly articles = new Map<string, ArticleRecord>();

  constructor(
    private readonly legacy: LegacyKvLayout,
    private readonly store: RedlineStore,
    private readonly meter: Meter,
    private readonly options: MigrationOptions,
  ) {
    this.report = {
      migrated: 0,
      skipped: 0,
      articles: [],
      subscriptions: { migrated: 0, skipped: 0 },
      cronRun: null,
      leftovers: [],
      verified: { ok: true, checked: 0, failures: [] },
      usage: meter.usage,
      cursor: null,
      done: false,
    };
  }

  private kvLeft(): number {
    return this.options.kvBudget - this.meter.kvOperations;
  }

  private d1Left(): number {
    return this.options.d1Budget - this.meter.usage.d1Queries;
  }

  private fits(kv: number, d1: number): boolean {
    return this.kvLeft() >= kv && this.d1Left() >= d1;
  }

  private fail(failure: VerifyFailure): void {
    this.report.verified.failures.push(failure);
    this.report.verified.ok = false;
  }

  /**
   * The raw body for verifyChain. One that does not even decompress is reported as not matching
   * its digest (an empty body never does) instead of thrown: one corrupt value must not stop the
   * migration at that article for good.
   */
  private raw = async (sha256: string): Promise<Uint8Array | null> => {
    try {
      return await this.store.getRaw(sha256);
    } catch {
      return new Uint8Array();
    }
  };

  async run(position: Position): Promise<MigrationReport> {
    // An article continued from the previous call counts against the batch.
    let taken = position.part ? 1 : 0;
    let page: { names: string[]; cursor: string | null } | null = null;
    for (;;) {
      if (position.phase === "articles") {
        if (position.part) {
          if (!(await this.advance(position.part))) break;
          position.part = null;
          position.skip++;
          continue;
        }
        if (taken >= this.options.batch) break;
        if (!page) {
          // The page is listed once per call; a call that stops inside it resumes at `skip`.
          if (!this.fits(2, 1)) break;
          page = await this.legacy.listArticleIds(position.list, Math.min(1000, position.skip + this.options.batch - taken));
        }
        if (position.skip >= page.names.length) {
          if (page.cursor === null) position = { phase: "subscriptions", list: null, skip: 0, part: null };
          else position = { ...position, list: page.cursor, skip: 0 };
          page = null;
          continue;
        }
        if (!this.fits(1, 1)) break;
        taken++;
        position.part = await this.open(page.names[position.skip]!);
        if (!position.part) position.skip++;
        continue;
      }
      if (position.phase === "subscriptions") {
        const room = Math.min(1000, this.kvLeft() - 1, this.d1Left());
        if (room < 1) break;
        const ids = await this.legacy.listSubscriptionIds(position.list, room);
        for (const id of ids.names) {
          const subscription = await this.legacy.getSubscription(id);
          if (!subscription) continue;
          if (await this.store.importSubscription({ ...subscription, id, deadLettered: subscription.deadLettered ?? 0, lastDeadLetter: subscription.lastDeadLetter ?? null })) {
            this.report.subscriptions.migrated++;
          } else {
            this.report.subscriptions.skipped++;
          }
        }
        position = ids.cursor === null ? { phase: "cron", list: null, skip: 0, part: null } : { ...position, list: ids.cursor };
        continue;
      }
      if (position.phase === "cron") {
        if (!this.fits(1, 1)) break;
        const run = await this.legacy.getCronRun();
        this.report.cronRun = run === null ? "absent" : (await this.store.importCronRun(run)) ? "migrated" : "skipped";
        position = { phase: "done", list: null, skip: 0, part: null };
        continue;
      }
      break;
    }
    this.report.done = position.phase === "done";
    this.report.cursor = this.report.done ? null : encodePosition(position);
    return this.report;
  }

  /** The old article record (one KV read per call that touches it); null if `article:<id>` holds none. */
  private async article(id: string): Promise<ArticleRecord | null> {
    const cached = this.articles.get(id);
    if (cached) return cached;
    const article = await this.legacy.getArticle(id);
    if (article) this.articles.set(id, article);
    return article;
  }

  /** Reads the old article and D1's head for it, and decides what to do: copy it, or only verify what D1 holds. */
  private async open(id: string): Promise<Part | null> {
    const article = await this.article(id);
    if (!article) {
      this.finish({ id, outcome: "unreadable", versions: 0, changes: 0, adopted: [], note: `${legacyKeys.article(id)} does not hold an article record` });
      return null;
    }
    const blank = { id, next: 1, prevDigest: null, broken: false, adopted: [], versions: 0, changes: 0 };
    const existing = await this.store.importState(id);
    if (!existing) return { ...blank, stage: article.versionCount > 0 ? "versions" : "changes" };
    if (existing.firstSeenAt !== article.firstSeenAt) {
      return {
        ...blank,
        stage: "verify",
        outcome: "conflict",
        to: existing.versionCount,
        note: `D1 already tracks this article with a history of its own (first seen ${existing.firstSeenAt}; in KV ${article.firstSeenAt}, ${article.versionCount} versions): the KV history was not migrated and its keys are untouched`,
      };
    }
    const outcome = existing.revision === 1 ? "already-migrated" : "changed-since";
    const note = outcome === "changed-since" ? `D1 has moved on since the migration (revision ${existing.revision}, ${existing.versionCount} versions); left as it is` : undefined;
    return { ...blank, stage: "verify", outcome, to: existing.versionCount, ...(note ? { note } : {}) };
  }

  private finish(entry: ArticleReport): void {
    this.report.articles.push(entry);
    if (entry.outcome === "migrated") this.report.migrated++;
    else this.report.skipped++;
  }

  /** Runs the article's steps while they fit: true when it is finished, false when the budget ran out first. */
  private async advance(part: Part): Promise<boolean> {
    if (!this.articles.has(part.id) && !this.fits(1, 0)) return false;
    const article = await this.article(part.id);
    if (!article) throw new Error(`${legacyKeys.article(part.id)} disappeared during the migration`);
    const { id, versionCount, changeCount } = article;
    for (;;) {
      switch (part.stage) {
        case "versions": {
          const window = Math.min(versionCount - part.next + 1, Math.floor(this.kvLeft() / KV_PER_COPIED_VERSION), Math.floor(this.d1Left() / D1_PER_COPIED_VERSION), MAX_WINDOW);
          if (window < 1) return false;
          await this.copyVersions(article, part, window);
          if (part.next > versionCount) Object.assign(part, { stage: "changes", next: 1 });
          break;
        }
        case "changes": {
          const window = Math.min(changeCount - part.next + 1, this.kvLeft(), this.d1Left(), MAX_WINDOW);
          if (changeCount >= part.next && window < 1) return false;
          if (window > 0) await this.copyChanges(article, part, window);
          if (part.next > changeCount) Object.assign(part, { stage: "leftovers", next: versionCount + 1 });
          break;
        }
        case "leftovers":
          // Probe, the version before it, its snapshot, its raw body, its change; revert look-up and three rows (the version, its search row, the change).
          if (!this.fits(5, 4)) return false;
          if (!(await this.adoptLeftover(article, part))) part.stage = "extra-change";
          break;
        case "extra-change": {
          if (!this.fits(1, 0)) return false;
          const seq = changeCount + part.adopted.length + 1;
          const change = await this.legacy.getChange(id, seq);
          if (change) {
            this.report.leftovers.push({
              articleId: id,
              kind: "change",
              n: seq,
              adopted: false,
              reason: `${legacyKeys.change(id, seq)} (${(change.kinds ?? []).join(", ")}) is beyond the article's ${changeCount} changes with no version to adopt: a check died before it counted it, and the old code's next change would have overwritten it; not migrated`,
            });
          }
          part.stage = "finish";
          break;
        }
        case "finish": {
          if (!this.fits(part.adopted.length > 0 ? 1 : 0, 1)) return false;
          const head = await this.migratedHead(article, part);
          const created = await this.store.importArticle(head);
          const note = created ? part.note : "D1 gained an article with this id while it was being migrated; that one was kept";
          this.finish({ id, outcome: created ? "migrated" : "conflict", versions: part.versions, changes: part.changes, adopted: part.adopted, ...(note ? { note } : {}) });
          return true;
        }
        case "verify": {
          const to = part.to ?? 0;
          if (part.next > to) {
            this.finish({ id, outcome: part.outcome!, versions: 0, changes: 0, adopted: [], ...(part.note ? { note: part.note } : {}) });
            return true;
          }
          const window = Math.min(to - part.next + 1, Math.floor(this.kvLeft() / KV_PER_VERIFIED_VERSION), MAX_WINDOW);
          if (window < 1 || !this.fits(0, 1)) return false;
          await this.verifyStored(id, part, window);
          break;
        }
      }
    }
  }

  /** Checks one record's content hash, chain link and raw body, unless a link before it broke already. */
  private async check(articleId: string, part: Part, version: VersionRecord): Promise<void> {
    if (part.broken) return;
    const report = await verifyChain([version], this.raw, part.prevDigest);
    this.report.verified.checked += report.checked;
    if (!report.ok && report.firstBroken) {
      this.fail({ articleId, ...report.firstBroken });
      part.broken = true;
    }
  }

  private missing(articleId: string, part: Part, n: number, detail: string): void {
    this.fail({ articleId, n, field: "missing", expected: null, actual: null, detail });
    part.broken = true;
    part.prevDigest = null;
  }

  /** Versions `part.next`… of the old layout: each record to its snapshot (the same bytes the new code writes), checked, then their rows in one batch. */
  private async copyVersions(article: ArticleRecord, part: Part, window: number): Promise<void> {
    const rows: Array<{ version: VersionRecord; recordSha256: string }> = [];
    for (let n = part.next; n < part.next + window; n++) {
      const version = await this.legacy.getVersion(article.id, n);
      if (!version || version.n !== n) {
        this.missing(article.id, part, n, version ? `${legacyKeys.version(article.id, n)} holds version ${version.n}; not migrated` : `${legacyKeys.version(article.id, n)} is missing from KV; not migrated`);
        continue;
      }
      const recordSha256 = await this.store.putSnapshot(version);
      await this.check(article.id, part, version);
      part.prevDigest = recordSha256;
      rows.push({ version, recordSha256 });
    }
    await this.store.importRows(article.id, rows, []);
    part.versions += rows.length;
    part.next += window;
  }

  private async copyChanges(article: ArticleRecord, part: Part, window: number): Promise<void> {
    const rows: ChangeRecord[] = [];
    for (let seq = part.next; seq < part.next + window; seq++) {
      const change = await this.legacy.getChange(article.id, seq);
      if (!change || change.seq !== seq || change.articleId !== article.id) {
        const detail = change ? `${legacyKeys.change(article.id, seq)} holds change ${change.id}` : `${legacyKeys.change(article.id, seq)} is missing from KV`;
        this.fail({ articleId: article.id, n: seq, field: "missing", expected: null, actual: null, detail: `${detail}; not migrated` });
        continue;
      }
      rows.push(change);
    }
    await this.store.importRows(article.id, [], rows);
    part.changes += rows.length;
    part.next += window;
  }

  /**
   * Probes the version after the last one migrated. Adopts it — its snapshot, its row, and its
   * change: the one the dead check wrote if it is there, else the change the old code's next
   * check would have written — when it verifies. False when there is nothing (more) to adopt.
   */
  private async adoptLeftover(article: ArticleRecord, part: Part): Promise<boolean> {
    const { id } = article;
    const n = part.next;
    const version = await this.legacy.getVersion(id, n);
    if (!version) return false;
    const refuse = (reason: string) => {
      this.report.leftovers.push({ articleId: id, kind: "version", n, adopted: false, reason: `${legacyKeys.version(id, n)} ${reason}; not migrated, its key is left in KV` });
      return false;
    };
    if (version.n !== n) return refuse(`holds version ${version.n}`);
    if (version.prevRecordSha256 === undefined) return refuse("predates the hash chain, so its link to the version before cannot be verified");
    if (part.prevDigest === null) return refuse("follows a version that could not be migrated");
    const report = await verifyChain([version], this.raw, part.prevDigest);
    if (!report.ok) return refuse(`does not verify (${report.firstBroken!.field}: ${report.firstBroken!.detail})`);
    const previous = await this.legacy.getVersion(id, n - 1);
    if (!previous) return refuse(`follows version ${n - 1}, which is unreadable`);
    this.report.verified.checked += report.checked;
    const seq = article.changeCount + part.adopted.length + 1;
    const written = await this.legacy.getChange(id, seq);
    const own = written !== null && written.articleId === id && written.seq === seq && written.to === n && written.from === n - 1;
    const change = own
      ? written
      : changeForVersion({ ...article, changeCount: seq - 1 }, previous, version, [], await this.store.latestWithHash(id, version.contentHash, n));
    const recordSha256 = await this.store.putSnapshot(version);
    await this.store.importRows(id, [{ version, recordSha256 }], [change]);
    this.report.leftovers.push({
      articleId: id,
      kind: "version",
      n,
      adopted: true,
      reason: own
        ? `version ${n} and change ${seq} were written by a check that died before it counted them; adopted as the old code's next check would have`
        : `version ${n} was written by a check that died before it recorded its change; adopted with change ${seq}, computed as the old code's next check would have`,
    });
    part.adopted.push(n);
    part.versions++;
    part.changes++;
    part.prevDigest = recordSha256;
    part.next++;
    return true;
  }

  /**
   * The head as the old layout had it, revision 1. With adopted leftovers it moves on to the
   * last of them; its validators are cleared, since they belong to an older capture, so the
   * next check fetches the page in full and compares its text with the adopted version.
   */
  private async migratedHead(article: ArticleRecord, part: Part): Promise<ArticleRecord> {
    const last = part.adopted.at(-1);
    if (last === undefined) return article;
    const version = await this.legacy.getVersion(article.id, last);
    if (!version) throw new Error(`${legacyKeys.version(article.id, last)} disappeared during the migration`);
    return {
      ...article,
      title: version.title,
      versionCount: last,
      changeCount: article.changeCount + part.adopted.length,
      latestHash: version.contentHash,
      finalUrl: version.finalUrl,
      lastChangedAt: later(article.lastChangedAt, version.capturedAt),
      lastCheckedAt: later(article.lastCheckedAt, version.capturedAt),
      etag: null,
      lastModified: null,
    };
  }

  /** Re-verifies versions `part.next`… of an article D1 holds, as the new layout serves them: row, snapshot, raw body. */
  private async verifyStored(articleId: string, part: Part, window: number): Promise<void> {
    const last = part.next + window - 1;
    const rows = new Map((await this.store.versionDigests(articleId, part.next, last)).map((row) => [row.n, row.recordSha256]));
    for (let n = part.next; n <= last; n++) {
      const recordSha256 = rows.get(n);
      if (recordSha256 === undefined) {
        this.missing(articleId, part, n, `D1 has no row for version ${n}`);
        continue;
      }
      const snapshot = await this.store.getSnapshot(recordSha256);
      if (!snapshot) {
        this.missing(articleId, part, n, `snapshot:${recordSha256} is not in KV (yet: KV takes up to a minute to show a write everywhere)`);
        continue;
      }
      const actual = await recordDigest(snapshot);
      if (actual !== recordSha256) {
        this.fail({ articleId, n, field: "snapshot", expected: recordSha256, actual, detail: "the snapshot does not match the digest its row names" });
        part.broken = true;
      }
      await this.check(articleId, part, snapshot);
      part.prevDigest = recordSha256;
    }
    part.next = last + 1;
  }
}
