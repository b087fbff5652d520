/**
 * Which removed and added units (paragraphs or sentences) of one diff hunk are edits of each
 * other. Similarity is the Dice coefficient over word bags, so reworded and reordered wording
 * still pairs with its original.
 */

type WordBag = Map<string, number>;

function wordBag(text: string): WordBag {
  const bag: WordBag = new Map();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    bag.set(word, (bag.get(word) ?? 0) + 1);
  }
  return bag;
}

function diceSimilarity(left: WordBag, right: WordBag): number {
  let shared = 0;
  let total = 0;
  for (const [word, count] of left) {
    shared += Math.min(count, right.get(word) ?? 0);
    total += count;
  }
  for (const count of right.values()) total += count;
  return total === 0 ? 0 : (2 * shared) / total;
}

/**
 * How alike two headlines read, 0–1, counting words but not figures: a changed figure is an
 * edit, flagged on its own, while a new verb or framing ("walks away from … talks" →
 * "unilaterally halts … negotiations") is a rewrite, below {@link HEADLINE_REWRITE_SIMILARITY}.
 */
export function headlineSimilarity(before: string, after: string): number {
  const withoutFigures = (text: string): string => text.replace(/\p{N}+/gu, " ");
  return textSimilarity(withoutFigures(before), withoutFigures(after));
}

export const HEADLINE_REWRITE_SIMILARITY = 0.8;

/** Dice similarity of two texts' word bags. */
const textSimilarity = (left: string, right: string): number => diceSimilarity(wordBag(left), wordBag(right));

/** The share of `part`'s words (with repeats) that `whole` also has. */
export function containment(part: string, whole: string): number {
  const partBag = wordBag(part);
  const wholeBag = wordBag(whole);
  let shared = 0;
  let total = 0;
  for (const [word, count] of partBag) {
    shared += Math.min(count, wholeBag.get(word) ?? 0);
    total += count;
  }
  return total === 0 ? 0 : shared / total;
}

/**
 * A cheap sufficient test for similarity: the texts share a prefix and suffix covering 80% of
 * the longer one, as an edit in place (a word or figure changed) leaves them.
 */
function keepsMostCharacters(left: string, right: string): boolean {
  const shorter = Math.min(left.length, right.length);
  let prefix = 0;
  while (prefix < shorter && left.charCodeAt(prefix) === right.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && left.charCodeAt(left.length - 1 - suffix) === right.charCodeAt(right.length - 1 - suffix)) suffix++;
  return prefix + suffix >= 0.8 * Math.max(left.length, right.length);
}

/**
 * The order-preserving matching of `removed` to `added` with the highest total similarity,
 * counting only pairs at or above `threshold`. Returns [removedPosition, addedPosition] pairs in
 * order. Costs removed × added similarity computations; callers budget for that.
 */
export function pairSimilar(removed: readonly string[], added: readonly string[], threshold: number): Array<[number, number]> {
  const addedBags = added.map(wordBag);
  const removedBags: WordBag[] = [];
  const removedBag = (index: number): WordBag => (removedBags[index] ??= wordBag(removed[index] ?? ""));
  // Most hunks are units edited in place: when each pairs with the one opposite, that is the
  // best matching, found with n comparisons instead of n².
  if (removed.length === added.length) {
    const similarOpposite = (text: string, index: number): boolean =>
      keepsMostCharacters(text, added[index] ?? "") || diceSimilarity(removedBag(index), addedBags[index] ?? new Map()) >= threshold;
    if (removed.every(similarOpposite)) return removed.map((_, index) => [index, index]);
  }
  const similarity = removed.map((_, row) => addedBags.map((addedBag) => diceSimilarity(removedBag(row), addedBag)));
  const similarityOf = (row: number, column: number): number => similarity[row]?.[column] ?? 0;

  // best[r][a]: highest total similarity pairing among the first r removed and first a added.
  const best = Array.from({ length: removed.length + 1 }, () => new Array<number>(added.length + 1).fill(0));
  const bestOf = (row: number, column: number): number => best[row]?.[column] ?? 0;
  const pairedScore = (row: number, column: number): number => {
    const score = similarityOf(row - 1, column - 1);
    return score >= threshold ? bestOf(row - 1, column - 1) + score : -1;
  };
  best.forEach((bestRow, row) => {
    if (row === 0) return;
    for (let column = 1; column <= added.length; column++) {
      bestRow[column] = Math.max(bestOf(row - 1, column), bestOf(row, column - 1), pairedScore(row, column));
    }
  });

  const pairs: Array<[number, number]> = [];
  let row = removed.length;
  let column = added.length;
  while (row > 0 && column > 0) {
    if (bestOf(row, column) === pairedScore(row, column)) {
      pairs.push([--row, --column]);
    } else if (bestOf(row, column) === bestOf(row - 1, column)) {
      row--;
    } else {
      column--;
    }
  }
  return pairs.reverse();
}
