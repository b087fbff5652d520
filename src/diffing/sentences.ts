/**
 * Sentence splitting for news copy. Wire copy is dense with abbreviations ("U.S.", "Dec. 18",
 * "Sen.", "John F. Kennedy") and quotations, where a naive split on ". " cuts sentences apart
 * and makes one edited sentence look like two unrelated ones.
 */

/** Words that end in a period without ending a sentence (compared lower-case, without the period). */
const ABBREVIATIONS = new Set([
  // titles and ranks
  "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt", "maj", "adm", "cmdr",
  "pres", "amb", "rev", "hon", "st", "jr", "sr", "messrs", "supt", "insp", "det", "cpl", "pvt",
  // months as newsrooms abbreviate them
  "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
  // organisations, places, references
  "inc", "corp", "co", "ltd", "bros", "dept", "univ", "assn", "mt", "ft", "ave", "blvd", "no", "nos", "vol", "art",
  "fig", "pp", "vs", "v", "approx", "est", "cf",
]);

/** After "3 p.m." a capitalised weekday, month or zone continues the sentence. */
const CONTINUES_TIME = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b|^[A-Z]{2,4}\b/u;

/**
 * A possible boundary: terminal punctuation, any closing quotes or brackets, whitespace, and a
 * next sentence that starts like one (capital, digit, opening quote or bracket, or a letter of a
 * caseless script such as Hangul). CJK full stops end sentences without a following space.
 */
const BOUNDARY = /([.!?…]+)(["'”’»)\]]*)(\s+)(?=["'“‘«(\[]?[\p{Lu}\p{N}\p{Lo}])|([。！？])(\s*)/gu;

/** The word a period follows, e.g. "U.S" in "the U.S." or "Sen" in "Sen.". */
function wordBefore(text: string, end: number): string {
  let start = end;
  while (start > 0 && /[\p{L}\p{N}.]/u.test(text[start - 1] ?? "")) start--;
  return text.slice(start, end);
}

function endsWithAbbreviation(text: string, periodIndex: number, nextText: string): boolean {
  const word = wordBefore(text, periodIndex);
  if (word === "") return false;
  const bare = word.toLowerCase();
  if (ABBREVIATIONS.has(bare)) return true;
  // Initials and dotted acronyms: "F.", "U.S", "U.N", "a.m", "p.m".
  if (/^\p{Lu}$/u.test(word)) return true;
  if (/^(?:\p{L}\.)+\p{L}$/u.test(word)) {
    return /^(?:a\.m|p\.m)$/u.test(bare) ? CONTINUES_TIME.test(nextText) : true;
  }
  return false;
}

/**
 * Quote depth at each position: inside “…” or a straight "…" pair no sentence ends, so a quoted
 * statement stays one unit with its attribution. Returns null when the quotes do not balance
 * (a quotation running on into the next paragraph, a stray mark); depth is then ignored.
 */
function quoteDepths(text: string): Int8Array | null {
  const depths = new Int8Array(text.length + 1);
  let curly = 0;
  let straightOpen = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === "“") curly++;
    else if (char === "”") curly = Math.max(0, curly - 1);
    else if (char === '"') straightOpen = !straightOpen;
    depths[index + 1] = curly + (straightOpen ? 1 : 0);
  }
  return depths[text.length] === 0 ? depths : null;
}

/**
 * One (normalised) paragraph cut into sentences, each with the whitespace that follows it, so
 * the pieces concatenate back to the paragraph exactly.
 */
export function sentenceSpans(paragraph: string): string[] {
  const depths = quoteDepths(paragraph);
  const spans: string[] = [];
  let start = 0;
  for (const match of paragraph.matchAll(BOUNDARY)) {
    const index = match.index;
    const [whole, terminal, closers = "", , cjkTerminal] = match;
    const end = index + whole.length;
    if (cjkTerminal === undefined) {
      const afterClosers = index + (terminal?.length ?? 0) + closers.length;
      if (depths && (depths[afterClosers] ?? 0) > 0) continue;
      if (terminal === "." && endsWithAbbreviation(paragraph, index, paragraph.slice(end))) continue;
    }
    if (end > start) spans.push(paragraph.slice(start, end));
    start = end;
  }
  if (start < paragraph.length) spans.push(paragraph.slice(start));
  return spans;
}

/** Splits one (normalised) paragraph into sentences, each trimmed, in order. */
export function splitSentences(paragraph: string, spansOf: SentenceSpans = sentenceSpans): string[] {
  return spansOf(paragraph)
    .map((span) => span.trim())
    .filter((sentence) => sentence !== "");
}

export type SentenceSpans = (paragraph: string) => string[];

/**
 * {@link sentenceSpans} remembering each paragraph's answer: one diff splits a paragraph both to
 * align sentences and to word-diff it when edited, and should pay for that once.
 */
export function rememberedSentenceSpans(): SentenceSpans {
  const known = new Map<string, string[]>();
  return (paragraph) => {
    let spans = known.get(paragraph);
    if (!spans) {
      spans = sentenceSpans(paragraph);
      known.set(paragraph, spans);
    }
    return spans;
  };
}
