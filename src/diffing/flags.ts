/**
 * Derived flags: what kind of edit an editor made, read from the sentence changes. Each is a
 * pure predicate on plain text so it can be tested on hand-made pairs.
 */
import type { FieldChange, SentenceChanges, SentenceEdit } from "../model";

/**
 * Wording of correction and editor's notes, in English and Korean (정정 "correction",
 * 바로잡습니다 "we correct", 알려왔습니다 "... informed us", the usual Korean right-of-reply note).
 */
const CORRECTION_NOTE =
  /\b(?:corrections?|clarifications?|editor['’]s note|erratum)\b|\bthis (?:article|story|report|version) (?:has been|was|is) (?:corrected|updated|amended|changed)\b|\ban earlier version of this (?:article|story|report)\b|\b(?:incorrectly|mistakenly|erroneously|wrongly) (?:said|stated|reported|identified|described|attributed)\b|정정|바로잡습니다|알려왔습니다/iu;

const isCorrectionNote = (text: string): boolean => CORRECTION_NOTE.test(text);

/** A correction or editor's note appeared: in a new sentence, or written into an edited one. */
export function correctionAppeared(sentences: SentenceChanges): boolean {
  return (
    sentences.added.some((sentence) => isCorrectionNote(sentence.text)) ||
    sentences.edited.some((edit) => isCorrectionNote(edit.after.text) && !isCorrectionNote(edit.before.text))
  );
}

/**
 * A figure: digits with their separators and a currency sign or magnitude word if any, or a
 * number written out ("six-fold", "a dozen", "twenty"). "One" is left out: it is more often a
 * pronoun than a figure.
 */
const FIGURE =
  /[$€£¥₩]?\d[\d,.]*(?:\s?(?:%|percent|per cent|thousand|million|billion|trillion|won|dollars?))?|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|trillion|half|double|twice|triple|quadruple)(?:-fold)?\b/giu;

const figuresIn = (text: string): string[] => (text.match(FIGURE) ?? []).map((figure) => figure.replace(/[.,]$/u, "").toLowerCase());

/** Same items in any order: a clause moved within a sentence carries its figures and quotes along. */
function sameItems(left: readonly string[], right: readonly string[]): boolean {
  const sortedRight = [...right].sort();
  return left.length === right.length && [...left].sort().every((item, index) => item === sortedRight[index]);
}

/** A figure in an edited sentence or the headline changed, e.g. "$5 billion" → "$4.7 billion". */
export function figuresChanged(edits: readonly SentenceEdit[], title: FieldChange | undefined): boolean {
  const changed = (before: string, after: string): boolean => {
    const old = figuresIn(before);
    return old.length > 0 && !sameItems(old, figuresIn(after));
  };
  return edits.some((edit) => changed(edit.before.text, edit.after.text)) || (title !== undefined && changed(title.before ?? "", title.after ?? ""));
}

/** Text between paired quotation marks: straight, curly, guillemets, corner brackets. */
const QUOTED = /"([^"]+)"|“([^”]+)”|«([^»]+)»|「([^」]+)」|‘([^’]{12,})’/gu;

function quotesIn(text: string): string[] {
  return [...text.matchAll(QUOTED)].map((match) => match.slice(1).find((group) => group !== undefined) ?? "");
}

/** Words inside quotation marks changed in an edited sentence (a quote reworded, cut or added to it). */
export function quotesChanged(edits: readonly SentenceEdit[]): boolean {
  return edits.some((edit) => {
    const old = quotesIn(edit.before.text);
    const current = quotesIn(edit.after.text);
    return (old.length > 0 || current.length > 0) && !sameItems(old, current);
  });
}
