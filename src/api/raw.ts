import { RAW_CAPTURE_HEADERS } from "../security-headers";
import type { VersionRecord } from "../storage/records";
import type { RedlineStore } from "../storage/store";
import { problem } from "./problem";

const base64OfHex = (hex: string): string => btoa(String.fromCharCode(...hex.match(/../g)!.map((pair) => parseInt(pair, 16))));

/** A version's body exactly as the publisher served it (the raw endpoint and mementos). */
export async function rawCaptureResponse(store: RedlineStore, articleId: string, version: VersionRecord, headers: Record<string, string> = {}): Promise<Response> {
  if (!version.raw) throw problem(404, `Version ${version.n} was captured before Redline kept raw responses; only its extracted text exists.`);
  if (!version.raw.stored) throw problem(404, `The raw response of version ${version.n} was not kept: ${version.raw.reason ?? "no reason recorded"}.`);
  const body = await store.getRaw(version.raw.sha256);
  if (!body) throw problem(404, `The raw response of version ${version.n} (sha256 ${version.raw.sha256}) is missing from storage; GET /api/articles/${articleId}/verify reports it.`);
  return new Response(body, {
    headers: {
      "Content-Type": version.raw.contentType ?? "application/octet-stream",
      ...RAW_CAPTURE_HEADERS,
      Digest: `sha-256=${base64OfHex(version.raw.sha256)}`,
      "X-Redline-Captured-At": version.capturedAt,
      ...headers,
    },
  });
}
