/**
 * The redline image's alt text: the edit stated in words, for screen readers and for the posts
 * that carry the image ("en.yna.co.kr changed … in paragraph 1: replaced “six-fold” with
 * “five-fold”"). Pure. At most {@link MAX_ALT_LENGTH} characters: edits that do not fit are
 * counted ("and 3 more edits"), and quoted text is cut at a word with an ellipsis.
 */
import type { FieldChange, FieldKind, ParagraphDiff, WordPart } from "../model";
import type { DiffDocument } from "../diffing/render/document";
import { captureTime, siteOf } from "./svg";

/** Mastodon's limit for a media description, and well within Bluesky's. */
export const MAX_ALT_LENGTH = 1500;
/** The longest quotation of one edit's text. */
const QUOTE_LENGTH = 160;
/** The word edits of one paragraph spelled out; the rest are counted. */
const WORD_EDITS = 4;

const FIELD_NAMES: Record<FieldKind, string> = {
  title: "the headline",
  byline: "the byline",
  "published-date": "the published time",
  "modified-date": "the modified time",
  "canonical-url": "the canonical URL",
  "final-url": "the final URL",
};

/** `text` in curly quotes, whitespace collapsed, cut at a word boundary past `limit` characters. */
export function quote(text: string, limit = QUOTE_LENGTH): string {
  const plain = text.replace(/\s+/g, " ").trim();
  const characters = [...plain];
  if (characters.length <= limit) return `“${plain}”`;
  const cut = characters.slice(0, limit - 1).join("");
  const atWord = cut.lastIndexOf(" ");
  return `“${(atWord > limit / 2 ? cut.slice(0, atWord) : cut).replace(/[\s,.;:]+$/, "")}…”`;
}

function fieldEdit(kind: FieldKind, { before, after }: FieldChange): string {
  const name = FIELD_NAMES[kind];
  // Times and URLs are values, not prose: not quoted.
  const said = (value: string): string => (kind === "title" || kind === "byline" ? quote(value) : value);
  if (before === null && after !== null) return `added ${name} ${said(after)}`;
  if (after === null && before !== null) return `removed ${name} ${said(before)}`;
  return `changed ${name} from ${said(before ?? "")} to ${said(after ?? "")}`;
}

const hasText = (parts: WordPart[], op: WordPart["op"]): boolean => parts.some((part) => part.op === op && part.text.trim() !== "");

/**
 * The word-level edits of a changed paragraph. Edits inside one word or between words joined by
 * no space are one edit, and a replacement is quoted as whole words: “six-fold” → “five-fold”,
 * not “six” → “five”; “50억달러 안팎을” → “47억달러를”.
 */
export function wordEdits(words: WordPart[]): string[] {
  const edits: string[] = [];
  let start = 0;
  while (start < words.length) {
    if (words[start]!.op === "equal") {
      start++;
      continue;
    }
    // The edit runs on through equal text inside a word, up to the last change before a space.
    let end = start + 1;
    for (let next = start + 1; next < words.length && (words[next]!.op !== "equal" || !/\s/.test(words[next]!.text)); next++) {
      if (words[next]!.op !== "equal") end = next + 1;
    }
    const group = words.slice(start, end);
    if (hasText(group, "removed") && hasText(group, "added")) {
      const previous = words[start - 1];
      const following = words[end];
      const prefix = previous && !/^\s/.test(group[0]!.text) ? /\S*$/.exec(previous.text)![0] : "";
      const suffix = following && !/\s$/.test(group.at(-1)!.text) ? /^\S*/.exec(following.text)![0] : "";
      const side = (skip: WordPart["op"]): string => prefix + group.filter((part) => part.op !== skip).map((part) => part.text).join("") + suffix;
      edits.push(`replaced ${quote(side("added"))} with ${quote(side("removed"))}`);
    } else {
      const op = hasText(group, "removed") ? "removed" : "added";
      const text = group.filter((part) => part.op === op).map((part) => part.text).join(" ");
      if (text.trim() !== "") edits.push(`${op === "removed" ? "deleted" : "inserted"} ${quote(text)}`);
    }
    start = end;
  }
  return edits;
}

/** "a, b and c". */
const listed = (items: string[]): string => (items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`);

function paragraphEdit(paragraph: ParagraphDiff): string | null {
  switch (paragraph.op) {
    case "equal":
      return null;
    case "changed": {
      const edits = wordEdits(paragraph.words);
      if (edits.length === 0) return null;
      const shown = edits.length > WORD_EDITS ? [...edits.slice(0, WORD_EDITS), `made ${edits.length - WORD_EDITS} more edits`] : edits;
      return `${listed(shown)} in paragraph ${paragraph.after + 1}`;
    }
    case "added":
      // A move is said once, from the side it left.
      return paragraph.movedFrom === undefined ? `added paragraph ${paragraph.after + 1}: ${quote(paragraph.text)}` : null;
    case "removed":
      return paragraph.movedTo === undefined
        ? `deleted paragraph ${paragraph.before + 1}: ${quote(paragraph.text)}`
        : `moved paragraph ${paragraph.before + 1} to paragraph ${paragraph.movedTo + 1}`;
  }
}

/** Every edit of the diff as a clause, fields first, then the body in reading order. */
export function editClauses(document: DiffDocument): string[] {
  const fields = (Object.entries(document.diff.fields) as Array<[FieldKind, FieldChange]>).map(([kind, change]) => fieldEdit(kind, change));
  const body = document.diff.paragraphs.map(paragraphEdit).filter((clause): clause is string => clause !== null);
  return [...fields, ...body];
}

const moreEdits = (count: number): string => `; and ${count} more edit${count === 1 ? "" : "s"}`;

/** The alt text of the redline image of `document`. */
export function redlineAlt(document: DiffDocument): string {
  const { from, to, diff } = document;
  const site = siteOf(document.articleUrl);
  const opening = `Redline of ${quote(to.title || document.articleUrl)}, version ${from.n} (${captureTime(from.capturedAt)}) → version ${to.n} (${captureTime(to.capturedAt)}). `;
  const clauses = editClauses(document);
  if (clauses.length === 0) return truncate(finished(`${opening}${diff.summary}`));
  let text = `${opening}${site} ${clauses[0]}`;
  for (const [index, clause] of clauses.slice(1).entries()) {
    const left = clauses.length - 1 - index;
    const next = `; ${clause}`;
    // Room for this clause, and for the count of those after it if any follow.
    if ([...text].length + [...next].length + (left > 1 ? moreEdits(left - 1).length : 0) + 1 > MAX_ALT_LENGTH) {
      return truncate(`${text}${moreEdits(left)}.`);
    }
    text += next;
  }
  return truncate(finished(text));
}

/** A full stop, unless the text ends one already (inside a closing quote too). */
const finished = (text: string): string => (/[.!?…]”?$/.test(text) ? text : `${text}.`);

/** The last guard: never past the limit, even with one enormous first clause. */
function truncate(text: string): string {
  const characters = [...text];
  return characters.length <= MAX_ALT_LENGTH ? text : `${characters.slice(0, MAX_ALT_LENGTH - 1).join("")}…`;
}
