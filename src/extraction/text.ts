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

/** Exactly the characters `\s` matches in a JavaScript regular expression. */
function isWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 ||
    code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}

const isAsciiLetterOrDigit = (code: number): boolean =>
  (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);

/**
 * Whitespace-separated tokens holding a letter or digit, counted in one pass over the characters
 * (the number of matches of `\S*[\p{L}\p{N}]\S*`, without building the match array:
 * this runs for every paragraph of every page).
 */
function countSpacedWords(text: string): number {
  let count = 0;
  let tokenHasWord = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (isWhitespace(code)) {
      if (tokenHasWord) count++;
      tokenHasWord = false;
    } else if (!tokenHasWord) {
      if (code < 0x80) tokenHasWord = isAsciiLetterOrDigit(code);
      else tokenHasWord = HAS_LETTER_OR_DIGIT.test(String.fromCodePoint(text.codePointAt(index) ?? code));
    }
  }
  return tokenHasWord ? count + 1 : count;
}

export function countWords(text: string): number {
  if (!SPACELESS_SCRIPT.test(text)) return countSpacedWords(text);
  let count = 0;
  for (const [token] of text.matchAll(SPACELESS_AWARE_TOKEN)) {
    if (HAS_LETTER_OR_DIGIT.test(token)) count++;
  }
  return count;
}
