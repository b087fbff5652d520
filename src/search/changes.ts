/**
 * What the search index holds of a change (migrations/0006_change_search.sql): the text it took
 * out and the text it put in, at sentence level. A sentence the change deleted or edited goes
 * whole into `removed` as it was, one it added or edited whole into `added` as it is: the word
 * diff of an edit ("six" → "five" inside "six-fold") would break the phrases and words a reader
 * searches for, and `changeQuery` (text.ts) keeps out the words an edit kept. A moved sentence is
 * neither (it was not added or removed); a changed headline is the first line of each side.
 */
import type { SentenceRef, VersionDiff } from "../model";
import { hangulGrams } from "./text";

export interface ChangeText {
  removed: string;
  added: string;
  removedGrams: string;
  addedGrams: string;
}

/** Sentences in the order of their paragraphs (stable: within one, as the diff lists them). */
function lines(headline: string | null | undefined, sentences: SentenceRef[]): string {
  const ordered = [...sentences].sort((left, right) => left.paragraph - right.paragraph).map((sentence) => sentence.text);
  return (headline ? [headline, ...ordered] : ordered).join("\n");
}

/** The indexed text of the change a diff records: what it removed and added, one sentence per line, and their Hangul grams. */
export function changeText(diff: Pick<VersionDiff, "fields" | "sentences">): ChangeText {
  const { sentences, fields } = diff;
  const removed = lines(fields.title?.before, [...sentences.removed, ...sentences.edited.map((edit) => edit.before)]);
  const added = lines(fields.title?.after, [...sentences.added, ...sentences.edited.map((edit) => edit.after)]);
  return { removed, added, removedGrams: hangulGrams(removed), addedGrams: hangulGrams(added) };
}
