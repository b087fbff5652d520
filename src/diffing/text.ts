/**
 * Invisible characters some sites sprinkle into copy for hyphenation or line breaking
 * (soft hyphen, zero-width space); their presence or absence is not an edit.
 */
const INVISIBLE_BREAK_HINTS = /[\u00AD\u200B]/gu;

/** NFC, invisible break hints dropped, every whitespace run collapsed to one space, trimmed. */
export function normalizeText(text: string): string {
  return text.normalize("NFC").replace(INVISIBLE_BREAK_HINTS, "").replace(/\s+/gu, " ").trim();
}

/** Words as a reader counts them: runs of non-whitespace. */
export function countWords(text: string): number {
  return text.match(/\S+/gu)?.length ?? 0;
}
