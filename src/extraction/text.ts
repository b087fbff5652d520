/** Text clean-up shared by every extracted field. */

/**
 * Collapses every run of whitespace (NBSP included: `\s` covers it) to one space, trims, and
 * composes to NFC so the same visible text always compares equal across fetches.
 */
export function normalizeText(text: string): string {
  return text.trim().replace(WHITESPACE_TO_COLLAPSE, " ").normalize("NFC");
}

/**
 * Runs of two or more whitespace characters, or one that is not a plain space: exactly what
 * collapsing `\s+` changes, but it lets the common single spaces through untouched, which makes
 * this hot function several times faster.
 */
const WHITESPACE_TO_COLLAPSE = /\s{2,}|[\t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/g;

/**
 * Chinese and Japanese are written without spaces, so there each character counts as a word;
 * elsewhere a word is a whitespace-separated token holding a letter or digit.
 */
/** Kana and CJK ideograph blocks: a cheap pre-check before the Unicode-script tokenizer. */
const SPACELESS_SCRIPT = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[\ud840-\ud87f]/;
const SPACELESS_AWARE_TOKEN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+/gu;
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
/** The common case in one pass: a run of non-space characters containing a letter or digit. */
const SPACED_WORD = /\S*[\p{L}\p{N}]\S*/gu;

export function countWords(text: string): number {
  if (!SPACELESS_SCRIPT.test(text)) return text.match(SPACED_WORD)?.length ?? 0;
  let count = 0;
  for (const [token] of text.matchAll(SPACELESS_AWARE_TOKEN)) {
    if (HAS_LETTER_OR_DIGIT.test(token)) count++;
  }
  return count;
}
