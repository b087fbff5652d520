/**
 * A fixed set of lower-case ASCII words, looked up straight from a span of a longer string with
 * ASCII case ignored, so the span is never sliced out: the parser reads tag and attribute names
 * this way, and the boilerplate rules the words of class and id names, for every element.
 */
export class Vocabulary {
  private readonly wordsByHash = new Map<number, string>();
  private readonly longest: number;

  constructor(words: Iterable<string>) {
    let longest = 0;
    for (const word of words) {
      const hash = spanHash(word, 0, word.length);
      const taken = this.wordsByHash.get(hash);
      if (taken !== undefined && taken !== word) throw new Error(`"${word}" and "${taken}" share a hash`);
      this.wordsByHash.set(hash, word);
      longest = Math.max(longest, word.length);
    }
    this.longest = longest;
  }

  /** The word spelled from `start` to `end` of `text`, ignoring ASCII case, if it is one of these. */
  find(text: string, start: number, end: number): string | undefined {
    if (end - start > this.longest) return undefined;
    const word = this.wordsByHash.get(spanHash(text, start, end));
    if (word === undefined || word.length !== end - start) return undefined;
    for (let offset = 0; offset < word.length; offset++) {
      if (foldAsciiCase(text.charCodeAt(start + offset)) !== word.charCodeAt(offset)) return undefined;
    }
    return word;
  }
}

const foldAsciiCase = (code: number): number => (code >= 0x41 && code <= 0x5a ? code + 0x20 : code);

function spanHash(text: string, start: number, end: number): number {
  let hash = end - start;
  for (let position = start; position < end; position++) {
    hash = (Math.imul(hash, 31) + foldAsciiCase(text.charCodeAt(position))) | 0;
  }
  return hash;
}
