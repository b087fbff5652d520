/** Reducing a printed byline to the people it names. */
import { countWords, normalizeText } from "./text";

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const LEADING_BY = /^(?:written\s+|reported\s+)?by\b\s*:?\s*/i;
/** A segment naming a job rather than a person: "staff reporter", "Seoul correspondent". */
const ROLE =
  /\b(?:reporters?|writers?|correspondents?|editors?|columnists?|contributors?|journalists?|interns?|analysts?|producers?|photographers?)\b/i;
/** Korean bylines put the role after the name: "노지원 기자" (reporter), "… 특파원" (correspondent). */
const TRAILING_KOREAN_ROLE = /\s+(?:선임)?(?:기자|특파원)$/u;
const EMPTY_BRACKETS = /[([{<]\s*[)\]}>]/g;
const EDGE_PUNCTUATION = /^[\s,;:|/–—-]+|[\s,;:|/–—-]+$/g;
/** Longer text is a sentence or a bio, not a byline. */
const MAX_BYLINE_WORDS = 12;

/**
 * "By Noh Ji-won, staff reporter" → "Noh Ji-won"; "By Song Sang-ho (sshluck@yna.co.kr)" →
 * "Song Sang-ho". Several people stay comma-separated. Null when nothing name-like remains.
 */
export function cleanByline(raw: string): string | null {
  const withoutContacts = normalizeText(raw).replace(EMAIL, " ").replace(EMPTY_BRACKETS, " ");
  const names = normalizeText(withoutContacts)
    .replace(LEADING_BY, "")
    .split(/\s*[,|/]\s*/)
    .map((segment) => segment.replace(EDGE_PUNCTUATION, "").replace(TRAILING_KOREAN_ROLE, ""))
    .filter((segment) => segment !== "" && !ROLE.test(segment));
  const byline = names.join(", ");
  if (!/\p{L}/u.test(byline) || countWords(byline) > MAX_BYLINE_WORDS) return null;
  return byline;
}
