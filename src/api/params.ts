/** Parsing of query and path parameters shared by the API routes; bad values become 400s. */
import { fieldProblem, problem } from "./problem";
import { quoteInput } from "../quote";

export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;

export function pageSize(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > MAX_PAGE_SIZE) {
    const reason = `must be an integer from 1 to ${MAX_PAGE_SIZE}, not ${quoteInput(raw)}`;
    throw fieldProblem(400, "limit", reason, `\`limit\` ${reason}.`);
  }
  return value;
}

/** A source's id, as an article's: the first 16 hex digits of SHA-256 over its canonical URL. */
export const SOURCE_ID = /^[0-9a-f]{16}$/;

/** `?source=`: the id of the source whose articles to list, or a 400 naming the bad value. */
export function sourceIdParam(raw: string): string {
  if (!SOURCE_ID.test(raw)) {
    const reason = `must be a source id (16 hexadecimal digits), not ${quoteInput(raw)}`;
    throw fieldProblem(400, "source", reason, `\`source\` ${reason}.`);
  }
  return raw;
}

export function cursorParam(raw: string | undefined): string | null {
  return raw === undefined || raw === "" ? null : raw;
}

export function versionNumber(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(raw)) {
    const reason = `must be a version number (1, 2, …), not ${quoteInput(raw)}`;
    throw fieldProblem(400, name, reason, `\`${name}\` ${reason}.`);
  }
  return Number(raw);
}

/** `1..2` → [1, 2]: the versions a diff page (and its image) compares, in either order but never the same one twice. */
export function versionRange(raw: string): [number, number] {
  const match = /^([^.]+)\.\.([^.]+)$/.exec(raw);
  if (!match) throw problem(400, `A diff page names two versions as <from>..<to>, e.g. 1..2, not ${quoteInput(raw)}.`);
  const from = versionNumber(match[1], "from")!;
  const to = versionNumber(match[2], "to")!;
  if (from === to) throw problem(400, "`from` and `to` must name two different versions.");
  return [from, to];
}

/** `?before=` of a per-article page: the change sequence number to list below. */
export function beforeParam(raw: string | undefined): number | null {
  if (raw === undefined || raw === "") return null;
  if (!/^[1-9]\d{0,8}$/.test(raw)) {
    const reason = `must be a change sequence number (1, 2, …), not ${quoteInput(raw)}`;
    throw fieldProblem(400, "before", reason, `\`before\` ${reason}.`);
  }
  return Number(raw);
}

/** The calendar fields an ISO 8601 instant starts with; seconds and the time are optional. */
const CALENDAR_FIELDS = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/;

/**
 * Whether the fields name a real date and time. `Date.parse` rolls impossible ones over
 * (2024-02-30 becomes 1 March), so the fields are set on a UTC date and must come back as given.
 */
function isCalendarTime(fields: RegExpExecArray): boolean {
  // An absent time (undefined groups) is midnight.
  const given = fields.slice(1).map((field) => Number(field ?? 0));
  const [year, month, day, hour, minute, second] = given as [number, number, number, number, number, number];
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second);
  const found = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  return found.every((value, index) => value === given[index]);
}

export function instantParam(raw: string | undefined, name: string): number | null {
  if (raw === undefined || raw === "") return null;
  const ms = Date.parse(raw);
  const fields = CALENDAR_FIELDS.exec(raw);
  if (!fields || Number.isNaN(ms) || !isCalendarTime(fields)) {
    const reason = `must be an ISO 8601 date or date-time naming a real calendar date and time, e.g. 2019-11-20T00:00:00Z, not ${quoteInput(raw)}`;
    throw fieldProblem(400, name, reason, `\`${name}\` ${reason}.`);
  }
  return ms;
}

/**
 * A request path percent-decoded. A malformed escape (`%E0%A4%A`, a lone `%`, bytes that are not
 * UTF-8) is the client's mistake, so it is a 400 rather than the URIError `decodeURIComponent` throws.
 */
export function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw problem(400, `The path is not valid percent-encoded UTF-8: ${quoteInput(path)}; write each byte outside ASCII as %XX, and a literal % as %25.`);
  }
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
