/**
 * Which removed and added units (paragraphs or sentences) of one diff hunk are edits of each
 * other. Similarity is the Dice coefficient over word bags, so reworded and reordered wording
 * still pairs with its original.
 */

export type WordBag = Map<string, number>;

export function wordBag(text: string): WordBag {
  const bag: WordBag = new Map();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    bag.set(word, (bag.get(word) ?? 0) + 1);
  }
  return bag;
}

export function diceSimilarity(left: WordBag, right: WordBag): number {
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
 * Below this similarity a headline counts as rewritten rather than edited: a new verb or framing
 * ("walks away from … talks" → "unilaterally halts … negotiations") keeps two thirds of its words.
 */
export const HEADLINE_REWRITE_SIMILARITY = 0.8;

/** Dice similarity of two texts' word bags. */
export const textSimilarity = (left: string, right: string): number => diceSimilarity(wordBag(left), wordBag(right));

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
 * The order-preserving matching of `removed` to `added` with the highest total similarity,
 * counting only pairs at or above `threshold`. Returns [removedPosition, addedPosition] pairs in
 * order. Costs removed × added similarity computations; callers budget for that.
 */
export function pairSimilar(removed: readonly string[], added: readonly string[], threshold: number): Array<[number, number]> {
  const addedBags = added.map(wordBag);
  const similarity = removed.map((text) => {
    const removedBag = wordBag(text);
    return addedBags.map((addedBag) => diceSimilarity(removedBag, addedBag));
  });
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
