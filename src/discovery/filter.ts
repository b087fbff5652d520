/**
 * A source's filter: validating it from a request body, and the verdict on one entry. Pure (no
 * KV, D1 or HTTP), so the API, the source check and the tests share it on plain values.
 */
import { quoteInput } from "../quote";
import type { DiscoveredEntry, SkipReason, SourceFilter } from "./model";

/** A filter field the client sent that cannot be used; the message names the field and the value. */
export class FilterError extends Error {
  /** The field at fault, for a form to show the message beside; absent when the filter as a whole is. */
  readonly field: FilterField | undefined;

  constructor(message: string, field?: FilterField) {
    super(message);
    this.field = field;
  }
}

const FIELDS = ["include", "exclude", "keywords", "maxAgeDays"] as const;
type FilterField = (typeof FIELDS)[number];
/** Every listed pattern and keyword is tried on every entry: a stored filter stays small. */
const MAX_ITEMS = 100;
const DAY_MS = 86_400_000;

/**
 * A pattern string as URLPattern reads it: an absolute pattern (`https://en.yna.co.kr/view/*`) as
 * written, a pattern starting with `/` (`/view/AEN*`) as a pathname on any origin, so it applies
 * to the entry's own origin without the client repeating it. Anything else throws.
 */
function compilePattern(pattern: string): URLPattern {
  return pattern.startsWith("/") ? new URLPattern({ pathname: pattern }) : new URLPattern(pattern);
}

function stringList(field: "include" | "exclude" | "keywords", value: unknown): string[] {
  if (!Array.isArray(value)) throw new FilterError(`${field} must be an array of strings, got ${quoteInput(value)}`, field);
  if (value.length > MAX_ITEMS) throw new FilterError(`${field} lists ${value.length} items; at most ${MAX_ITEMS} are allowed`, field);
  return value.map((item, i) => {
    if (typeof item !== "string") throw new FilterError(`${field}[${i}] must be a string, got ${quoteInput(item)}`, field);
    if (field === "keywords") {
      if (item.trim() === "") throw new FilterError(`keywords[${i}] must not be empty, got ${quoteInput(item)}`, field);
      return item;
    }
    try {
      compilePattern(item);
    } catch {
      throw new FilterError(
        `${field}[${i}] is not a URLPattern (an absolute one, or a pathname starting with "/"): ${quoteInput(item)}`,
        field,
      );
    }
    return item;
  });
}

/**
 * The filter fields of a `POST /api/sources` body, checked: `include`/`exclude` arrays of
 * URLPattern strings, `keywords` an array of non-empty strings, `maxAgeDays` a positive number.
 * `undefined` is the empty filter; an empty array is the same as the field left out (dropped).
 * Any other field, or a bad value, throws {@link FilterError}.
 */
export function parseFilter(input: unknown): SourceFilter {
  if (input === undefined) return {};
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new FilterError(`the filter must be an object, got ${quoteInput(input)}`);
  }
  const record = input as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new FilterError(`unknown filter field ${quoteInput(unknown[0])}; the fields are ${FIELDS.join(", ")}`);
  }
  const filter: SourceFilter = {};
  for (const field of ["include", "exclude", "keywords"] as const) {
    if (record[field] === undefined) continue;
    const list = stringList(field, record[field]);
    if (list.length > 0) filter[field] = list;
  }
  const maxAgeDays = record.maxAgeDays;
  if (maxAgeDays !== undefined) {
    if (typeof maxAgeDays !== "number" || !Number.isFinite(maxAgeDays) || maxAgeDays <= 0) {
      throw new FilterError(`maxAgeDays must be a positive number of days, got ${quoteInput(maxAgeDays)}`, "maxAgeDays");
    }
    filter.maxAgeDays = maxAgeDays;
  }
  return filter;
}

/** Case- and width-insensitive text: NFKC folds full-width Latin ("ＵＳ") and compatibility forms. */
function fold(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

interface CompiledFilter {
  include: Array<[string, URLPattern]>;
  exclude: Array<[string, URLPattern]>;
  keywords: string[];
}

/** A check applies one filter object to every entry of a source: compile its patterns once. */
const compiled = new WeakMap<SourceFilter, CompiledFilter>();

function compile(filter: SourceFilter): CompiledFilter {
  let result = compiled.get(filter);
  if (!result) {
    const patterns = (list: string[] | undefined) =>
      (list ?? []).map((pattern): [string, URLPattern] => [pattern, compilePattern(pattern)]);
    result = {
      include: patterns(filter.include),
      exclude: patterns(filter.exclude),
      keywords: (filter.keywords ?? []).map(fold),
    };
    compiled.set(filter, result);
  }
  return result;
}

function matches(pattern: URLPattern, url: string): boolean {
  try {
    return pattern.test(url);
  } catch {
    // An entry URL that does not parse matches nothing; the URL check refuses it on its own.
    return false;
  }
}

const quoteAll = (items: string[]) => items.map((item) => quoteInput(item)).join(", ");

/**
 * Why `entry` is skipped under `filter`, or null when it is kept. Checked in this order: exclude,
 * include, keywords (any one in the title or summary, after NFKC and lower-casing both), then
 * maxAgeDays on the entry's own date (published, else updated); an entry without a date is
 * skipped (`no-date`) only when maxAgeDays is set. `detail` names the pattern, keywords or age.
 */
export function entryVerdict(
  entry: DiscoveredEntry,
  filter: SourceFilter,
  nowMs: number,
): null | { reason: SkipReason; detail: string } {
  const { include, exclude, keywords } = compile(filter);
  const excludedBy = exclude.find(([, pattern]) => matches(pattern, entry.url));
  if (excludedBy) return { reason: "excluded", detail: `matches the exclude pattern ${quoteInput(excludedBy[0])}` };
  if (include.length > 0 && !include.some(([, pattern]) => matches(pattern, entry.url))) {
    return { reason: "not-included", detail: `matches none of the include patterns ${quoteAll(filter.include!)}` };
  }
  if (keywords.length > 0) {
    const text = fold(`${entry.title ?? ""}\n${entry.summary ?? ""}`);
    if (!keywords.some((keyword) => text.includes(keyword))) {
      return {
        reason: "no-keyword",
        detail: `neither the title nor the summary contains any of the keywords ${quoteAll(filter.keywords!)}`,
      };
    }
  }
  if (filter.maxAgeDays !== undefined) {
    const date = entry.publishedAt ?? entry.updatedAt;
    const dateMs = date === null ? NaN : Date.parse(date);
    if (Number.isNaN(dateMs)) {
      return { reason: "no-date", detail: `the entry has no date of its own and maxAgeDays is ${filter.maxAgeDays}` };
    }
    const ageDays = (nowMs - dateMs) / DAY_MS;
    if (ageDays > filter.maxAgeDays) {
      const kind = entry.publishedAt !== null ? "published" : "updated";
      return {
        reason: "too-old",
        detail: `${kind} ${date} (${Math.floor(ageDays * 10) / 10} days ago), older than maxAgeDays ${filter.maxAgeDays}`,
      };
    }
  }
  return null;
}
