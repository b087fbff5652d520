/**
 * The tamper-evident history: every version names the SHA-256 of its raw body, of its extracted
 * content (`contentHash`) and of the previous version's record, so altering any stored version
 * breaks the link from the one after it. Pure: the caller supplies the records and raw bodies.
 */
import { contentHash } from "../diffing";
import { sha256Hex } from "../digest";
import type { VersionRecord } from "../storage/records";

/**
 * JSON with object keys sorted (recursively) and no whitespace. For Redline's records (strings,
 * integers, booleans, null, arrays, objects) this is exactly RFC 8785 (JCS), so anyone can
 * recompute a record digest outside Redline.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The digest the next version stores as `prevRecordSha256`. */
export function recordDigest(version: VersionRecord): Promise<string> {
  return sha256Hex(canonicalJson(version));
}

export interface BrokenLink {
  n: number;
  field: "contentHash" | "prevRecordSha256" | "raw.sha256";
  expected: string | null;
  actual: string | null;
  detail: string;
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  /** Versions stored before raw captures and the chain existed: listed, not counted as broken. */
  unchained: number[];
  firstBroken: BrokenLink | null;
}

/**
 * Walks versions 1..n in order. `rawBody` returns the stored raw body for a digest, or null when
 * it is missing. Stops at the first broken link, since every later link depends on it. A caller
 * that walks a long history in parts (the KV migration) passes the digest of the version before
 * the first one given as `previousDigest`.
 */
export async function verifyChain(
  versions: VersionRecord[],
  rawBody: (sha256: string) => Promise<Uint8Array | null>,
  previousDigest: string | null = null,
): Promise<ChainReport> {
  const unchained: number[] = [];
  let checked = 0;
  const broken = (link: BrokenLink): ChainReport => ({ ok: false, checked, unchained, firstBroken: link });
  for (const version of versions) {
    checked++;
    const recomputed = await contentHash(version);
    if (recomputed !== version.contentHash) {
      return broken({ n: version.n, field: "contentHash", expected: recomputed, actual: version.contentHash, detail: "the stored text does not match its content hash" });
    }
    if (version.prevRecordSha256 === undefined) {
      unchained.push(version.n);
    } else if (version.prevRecordSha256 !== previousDigest) {
      return broken({ n: version.n, field: "prevRecordSha256", expected: previousDigest, actual: version.prevRecordSha256, detail: `version ${version.n - 1} was altered after version ${version.n} was recorded` });
    }
    if (version.raw?.stored) {
      const body = await rawBody(version.raw.sha256);
      const actual = body ? await sha256Hex(body) : null;
      if (actual !== version.raw.sha256) {
        return broken({ n: version.n, field: "raw.sha256", expected: version.raw.sha256, actual, detail: body ? "the stored raw body does not match its digest" : "the raw body is missing" });
      }
    }
    previousDigest = await recordDigest(version);
  }
  return { ok: true, checked, unchained, firstBroken: null };
}
