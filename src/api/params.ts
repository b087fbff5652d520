/** Parsing of query and path parameters shared by the API routes; bad values become 400s. */
import { problem, quoteInput } from "./problem";

export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;

export function pageSize(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > MAX_PAGE_SIZE) {
    throw problem(400, `\`limit\` must be an integer from 1 to ${MAX_PAGE_SIZE}, not ${quoteInput(raw)}.`);
  }
  return value;
}

export function cursorParam(raw: string | undefined): string | null {
  return raw === undefined || raw === "" ? null : raw;
}

export function versionNumber(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw problem(400, `\`${name}\` must be a version number (1, 2, …), not ${quoteInput(raw)}.`);
  return Number(raw);
}

/** `?before=` of a per-article page: the change sequence number to list below. */
export function beforeParam(raw: string | undefined): number | null {
  if (raw === undefined || raw === "") return null;
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw problem(400, `\`before\` must be a change sequence number (1, 2, …), not ${quoteInput(raw)}.`);
  return Number(raw);
}

export function instantParam(raw: string | undefined, name: string): number | null {
  if (raw === undefined || raw === "") return null;
  const ms = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(ms)) {
    throw problem(400, `\`${name}\` must be an ISO 8601 date or date-time, e.g. 2019-11-20T00:00:00Z, not ${quoteInput(raw)}.`);
  }
  return ms;
}

/** The request body as a JSON object; `example` shows the caller what to send instead. */
export async function readJsonObject(request: Request, example: string): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw problem(400, `The request body is not valid JSON; send ${example}.`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw problem(400, `The request body must be a JSON object, e.g. ${example}.`);
  return body as Record<string, unknown>;
}
