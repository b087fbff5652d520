/**
 * Echoing what a client or a site sent back in an error or a log line, bounded: pure, so the
 * API, the feeds filter, the fetcher and the tracker share it without importing HTTP code.
 */

/** Echoed input is cut here, so a 10 MB value gets a short error rather than a 10 MB one. */
const ECHO_LIMIT = 200;

/**
 * `value` as a detail echoes it: JSON-quoted, and past {@link ECHO_LIMIT} characters cut with
 * the cut marked, e.g. `"https://aaaa…" (cut: 10485760 characters in all)`. Every detail that
 * repeats what the client sent goes through here.
 */
export function quoteInput(value: unknown): string {
  const isString = typeof value === "string";
  const text = isString ? value : (JSON.stringify(value) ?? String(value));
  if (text.length <= ECHO_LIMIT) return isString ? JSON.stringify(text) : text;
  // Never split a surrogate pair: half a character would print as U+FFFD.
  const end = /[\uD800-\uDBFF]/.test(text[ECHO_LIMIT - 1]!) ? ECHO_LIMIT - 1 : ECHO_LIMIT;
  const head = isString ? JSON.stringify(`${text.slice(0, end)}…`) : `${text.slice(0, end)}…`;
  return `${head} (cut: ${text.length} characters in all)`;
}
