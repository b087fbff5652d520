/**
 * What the search index holds of a version and how a query reaches it (migrations/0005_search.sql).
 * `body` is tokenized by FTS5's unicode61: English words, phrases ("cost-sharing talks") and
 * prefixes (negotiat*). Korean writes a word's parts without spaces (방위비분담금), so unicode61
 * sees one token and trigram cannot match two syllables; `grams` holds every Hangul run as its
 * overlapping two-syllable grams, and each Hangul run of a query (outside double quotes) becomes
 * the phrase of its grams on that column: any substring of two syllables or more matches.
 */
import { sentenceSpans } from "../diffing/sentences";
import type { VersionRecord } from "../storage/records";

const HANGUL_RUN = /\p{Script=Hangul}+/gu;
const HANGUL_QUERY_RUN = /\p{Script=Hangul}+\*?/gu;
/** Latin words and digits joined by hyphens (cost-sharing, five-fold, 28,500-strong's 500-strong). */
const HYPHENATED = /(?<![\w\u00C0-\u024F])[\w\u00C0-\u024F]+(?:-[\w\u00C0-\u024F]+)+/g;

/** The overlapping two-syllable grams of one Hangul run ("방위비" → "방위 위비"); a single syllable stands alone. */
function bigrams(run: string): string {
  const syllables = [...run];
  if (syllables.length < 2) return run;
  return syllables
    .slice(0, -1)
    .map((syllable, index) => syllable + syllables[index + 1])
    .join(" ");
}

/** Every Hangul run of `text` as its overlapping two-syllable grams, space-separated: what a `grams` column holds. */
export function hangulGrams(text: string): string {
  return [...text.matchAll(HANGUL_RUN)].map(([run]) => bigrams(run)).join(" ");
}

/** The indexed text of a version: the headline, then its paragraphs, one per line; and the Hangul grams of it. */
export function indexedText(version: Pick<VersionRecord, "title" | "paragraphs">): { body: string; grams: string } {
  const body = [version.title, ...version.paragraphs].join("\n");
  return { body, grams: hangulGrams(body) };
}

/** The Hangul runs of two syllables or more a query looks for (outside double quotes): the snippet marks them. */
export interface SearchQuery {
  match: string;
  hangul: string[];
}

/**
 * The FTS5 MATCH expression of a user's query: unchanged, except that outside double quotes a
 * hyphenated word becomes the phrase "five-fold" and each Hangul run of two syllables or more
 * becomes `(<gramsColumn> : "g1 g2 …")`. A quoted Hangul phrase
 * and a single syllable match whole space-separated words of `body`, as unicode61 tokenizes them.
 */
export function searchQuery(q: string, gramsColumn = "grams"): SearchQuery {
  const hangul: string[] = [];
  let match = "";
  for (const piece of q.split(/("[^"]*"?)/)) {
    if (piece.startsWith('"')) {
      match += piece;
      continue;
    }
    // FTS5 reads a bare five-fold as "five" and a column filter; a hyphenated word is the phrase it looks like.
    match += piece.replace(HYPHENATED, (word) => `"${word}"`).replace(HANGUL_QUERY_RUN, (term) => {
      // A substring match already finds every word the run starts: a trailing * adds nothing.
      const run = term.replace(/\*$/, "");
      if ([...run].length < 2) return term;
      hangul.push(run);
      return ` (${gramsColumn} : "${bigrams(run)}") `;
    });
  }
  return { match: match.trim(), hangul };
}

/** FTS5 refused the query expression, or would have; the message is SQLite's. */
export class SearchSyntaxError extends Error {}

/** Where a search looks: every version's text, or what each change added or removed. */
export const SEARCH_SCOPES = ["text", "added", "removed"] as const;
export type SearchScope = (typeof SEARCH_SCOPES)[number];

/**
 * The MATCH expression over change_search (migrations/0006_change_search.sql) for `in=added` or
 * `in=removed`: the query on that side's text and grams, and NOT the query on the other side's,
 * so a change that rewrote a sentence but kept the words asked for is not a hit ("six-fold" is
 * removed by the Yonhap edit; "negotiator", in the edited sentence before and after, is neither
 * added nor removed). FTS5 intersects nested column filters, so each Hangul run's grams phrase
 * names the grams column of its side.
 */
export function changeQuery(q: string, side: "added" | "removed"): SearchQuery {
  // Said twice, an unterminated phrase would end at the second copy's quote and be valid: refused as FTS5 refuses it alone.
  if ((q.match(/"/g)?.length ?? 0) % 2 === 1) throw new SearchSyntaxError("unterminated string");
  const other = side === "added" ? "removed" : "added";
  const wanted = searchQuery(q, `${side}_grams`);
  const unwanted = searchQuery(q, `${other}_grams`);
  return { match: `({${side} ${side}_grams} : (${wanted.match})) NOT ({${other} ${other}_grams} : (${unwanted.match}))`, hangul: wanted.hangul };
}

/** One piece of a snippet: text as stored, `match` when it is what the query found. Never HTML. */
export interface SnippetPart {
  text: string;
  match: boolean;
}

/** Around what FTS5's highlight() found: U+E000 … U+E001 (private use, not in extracted text). */
export const MARK_OPEN = "\uE000";
export const MARK_CLOSE = "\uE001";

const SNIPPET_MAX = 400;

/**
 * The first sentence of the highlighted body that holds a match, as parts: FTS5's marks, and the
 * query's Hangul runs found as substrings. Falls back to the headline when no sentence holds one
 * (a match FTS5 does not mark).
 */
export function snippetOf(marked: string, hangul: string[]): SnippetPart[] {
  const lines = marked.split("\n");
  let chosen: string | null = null;
  for (const line of lines) {
    for (const sentence of sentenceSpans(line)) {
      if (sentence.includes(MARK_OPEN) || hangul.some((run) => sentence.includes(run))) {
        chosen = sentence.trim();
        break;
      }
    }
    if (chosen !== null) break;
  }
  const sentence = chosen ?? lines[0] ?? "";
  const parts: SnippetPart[] = [];
  let open = false;
  for (const piece of sentence.split(/([\uE000\uE001])/)) {
    if (piece === MARK_OPEN) open = true;
    else if (piece === MARK_CLOSE) open = false;
    else if (piece !== "") parts.push(...(open ? [{ text: piece, match: true }] : markHangul(piece, hangul)));
  }
  return truncate(merge(parts));
}

function markHangul(text: string, hangul: string[]): SnippetPart[] {
  if (hangul.length === 0) return [{ text, match: false }];
  const pattern = new RegExp(`(${hangul.map((run) => run.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`, "u");
  return text
    .split(pattern)
    .map((piece, index) => ({ text: piece, match: index % 2 === 1 }))
    .filter((part) => part.text !== "");
}

function merge(parts: SnippetPart[]): SnippetPart[] {
  const merged: SnippetPart[] = [];
  for (const part of parts) {
    const last = merged.at(-1);
    if (last && last.match === part.match) last.text += part.text;
    else merged.push({ ...part });
  }
  return merged;
}

/** A sentence longer than SNIPPET_MAX characters is cut around its first match, with "…" at each cut end. */
function truncate(parts: SnippetPart[]): SnippetPart[] {
  const total = parts.reduce((sum, part) => sum + part.text.length, 0);
  if (total <= SNIPPET_MAX) return parts;
  let offset = 0;
  let first = 0;
  for (const part of parts) {
    if (part.match) {
      first = offset;
      break;
    }
    offset += part.text.length;
  }
  const start = Math.max(0, first - SNIPPET_MAX / 4);
  const end = start + SNIPPET_MAX;
  const out: SnippetPart[] = [];
  offset = 0;
  for (const part of parts) {
    const from = Math.max(start, offset);
    const to = Math.min(end, offset + part.text.length);
    if (to > from) out.push({ text: part.text.slice(from - offset, to - offset), match: part.match });
    offset += part.text.length;
  }
  if (start > 0) out.unshift({ text: "…", match: false });
  if (end < total) out.push({ text: "…", match: false });
  return merge(out);
}
