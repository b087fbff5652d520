/** Reducing a printed byline to the people it names. */
import { countWords, normalizeText } from "./text";

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
/** Labels before the names: "By", "Written by:", "Authors:", "Author Posted by". */
const LEADING_LABELS = /^(?:(?:authors?|written|reported|posted|published)\b\s*:?\s*)*(?:by\b\s*:?\s*)?/i;
/**
 * Dates bylines print beside the names, with their labels: "… on Dec 17, 2025", "Updated
 * onFebruary 16, 2026" (labels and dates often run together once markup is gone).
 */
const DATES =
  /(?:\b(?:last\s+)?(?:updated|published|posted|modified)\b\s*:?\s*)?(?:\bon\s*)?(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?!\d)(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:,?\s+\d{4})?|\b\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+Z?)?)/gi;
/** The section or place after the names: "Jane Doe in Politics", "Jane Doe on Security". */
const TRAILING_CONTEXT = /\s+(?:in|on)\s.*$/i;
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
    .replace(DATES, " ")
    .trim()
    .replace(LEADING_LABELS, "")
    .replace(TRAILING_CONTEXT, "")
    .split(/\s*[,|/]\s*/)
    .map((segment) => withoutAvatarInitial(segment.replace(EDGE_PUNCTUATION, "").replace(TRAILING_KOREAN_ROLE, "")))
    .filter((segment) => segment !== "" && !ROLE.test(segment));
  const byline = names.join(", ");
  if (!/\p{L}/u.test(byline) || countWords(byline) > MAX_BYLINE_WORDS) return null;
  return byline;
}

/**
 * Author boxes often show an avatar that is the name's initial in a circle, which the text
 * reads as a stray capital before or after the name: "JosephF J" → "JosephF".
 */
function withoutAvatarInitial(segment: string): string {
  const words = segment.split(" ");
  const first = words[0] ?? "";
  const last = words.at(-1) ?? "";
  if (words.length < 2) return segment;
  if (/^\p{Lu}$/u.test(last) && first.startsWith(last)) return words.slice(0, -1).join(" ");
  if (/^\p{Lu}$/u.test(first) && (words[1] ?? "").startsWith(first)) return words.slice(1).join(" ");
  return segment;
}
