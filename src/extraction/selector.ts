/**
 * The small CSS selector subset site profiles are written in: type (`p`, `*`), `.class`, `#id`,
 * `[attr]`, `[attr=value]` (value bare or quoted), compounds of these (`div.article-text`),
 * the descendant combinator (`div.view p`) and comma-separated lists; attribute values hold no
 * spaces or commas. Nothing else is accepted:
 * an unsupported selector throws when compiled, which the profile tests catch.
 */
import { type DocumentNode, type ElementNode, findAllElements, findFirstElement, isWithin } from "./html";

interface AttributeCondition {
  name: string;
  /** undefined means presence only. */
  value: string | undefined;
}

interface CompoundSelector {
  tag: string | undefined;
  ids: string[];
  classes: string[];
  attributes: AttributeCondition[];
}

/** Compounds of one complex selector, outermost ancestor first, joined by descendant combinators. */
type ComplexSelector = CompoundSelector[];

export interface CompiledSelector {
  readonly source: string;
  readonly alternatives: readonly ComplexSelector[];
  /** The tags every match has, when each alternative names its element's tag; else null. */
  readonly tags: readonly string[] | null;
}

const IDENTIFIER = /^-?[_a-zA-Z\u00a0-\uffff][-_a-zA-Z0-9\u00a0-\uffff]*/;
const ATTRIBUTE = /^\[\s*([-_a-zA-Z0-9:]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s\]]+))\s*)?\]/;

function parseCompound(source: string, wholeSelector: string): CompoundSelector {
  const compound: CompoundSelector = { tag: undefined, ids: [], classes: [], attributes: [] };
  let rest = source;
  const leadingTag = rest.startsWith("*") ? "*" : IDENTIFIER.exec(rest)?.[0];
  if (leadingTag) {
    if (leadingTag !== "*") compound.tag = leadingTag.toLowerCase();
    rest = rest.slice(leadingTag.length);
  }
  while (rest.length > 0) {
    const marker = rest[0];
    if (marker === "." || marker === "#") {
      const name = IDENTIFIER.exec(rest.slice(1))?.[0];
      if (!name) break;
      (marker === "." ? compound.classes : compound.ids).push(name);
      rest = rest.slice(1 + name.length);
    } else if (marker === "[") {
      const match = ATTRIBUTE.exec(rest);
      if (!match) break;
      compound.attributes.push({
        name: (match[1] ?? "").toLowerCase(),
        value: match[2] ?? match[3] ?? match[4],
      });
      rest = rest.slice(match[0].length);
    } else {
      break;
    }
  }
  if (rest.length > 0) throw new Error(`unsupported selector "${wholeSelector}" at "${rest}"`);
  return compound;
}

const compiledCache = new Map<string, CompiledSelector>();

export function compileSelector(source: string): CompiledSelector {
  const cached = compiledCache.get(source);
  if (cached) return cached;
  const alternatives = source.split(",").map((alternative) => {
    const compounds = alternative.trim().split(/\s+/).filter(Boolean);
    if (compounds.length === 0) throw new Error(`empty selector in "${source}"`);
    return compounds.map((compound) => parseCompound(compound, source));
  });
  const subjectTags = alternatives.map((complex) => complex.at(-1)?.tag);
  const tags = subjectTags.every((tag) => tag !== undefined) ? [...new Set(subjectTags)] : null;
  const compiled = { source, alternatives, tags };
  compiledCache.set(source, compiled);
  return compiled;
}

// Runs for every element of every page several times over: plain loops, no closures.
function matchesCompound(element: ElementNode, compound: CompoundSelector): boolean {
  if (compound.tag !== undefined && element.tag !== compound.tag) return false;
  for (const id of compound.ids) {
    if (element.getAttribute("id") !== id) return false;
  }
  for (const name of compound.classes) {
    if (!element.hasClass(name)) return false;
  }
  for (const { name, value } of compound.attributes) {
    const actual = element.getAttribute(name);
    if (actual === undefined || (value !== undefined && actual !== value)) return false;
  }
  return true;
}

function matchesComplex(element: ElementNode, complex: ComplexSelector): boolean {
  const last = complex.at(-1);
  if (!last || !matchesCompound(element, last)) return false;
  // With descendant combinators only, binding each compound to its nearest matching ancestor
  // never misses a match, so a single upward scan suffices.
  let ancestor = element.parent;
  for (let index = complex.length - 2; index >= 0; index--) {
    const compound = complex[index];
    if (!compound) return false;
    while (ancestor && !matchesCompound(ancestor, compound)) ancestor = ancestor.parent;
    if (!ancestor) return false;
    ancestor = ancestor.parent;
  }
  return true;
}

export function matches(element: ElementNode, selector: CompiledSelector): boolean {
  for (const complex of selector.alternatives) {
    if (matchesComplex(element, complex)) return true;
  }
  return false;
}

/**
 * The elements that can match `selector`, in document order: only those of its tags when it
 * names them (most profile selectors do), every element otherwise.
 */
function candidates(document: DocumentNode, tags: readonly string[]): readonly ElementNode[] {
  const [first, ...others] = tags;
  if (first === undefined) return [];
  if (others.length === 0) return document.elementsByTag(first);
  return tags.flatMap((tag) => document.elementsByTag(tag)).sort((a, b) => a.index - b.index);
}

/** Every element of `document` matching `selector`, in document order. */
export function selectAll(document: DocumentNode, selector: string): ElementNode[] {
  const compiled = compileSelector(selector);
  const isMatch = (element: ElementNode): boolean => matches(element, compiled);
  return compiled.tags ? candidates(document, compiled.tags).filter(isMatch) : findAllElements(document, isMatch);
}

/**
 * The first element of `document`, in document order, that matches `selector` and `accept` and
 * is not inside a subtree whose root satisfies `skip`.
 */
export function selectFirst(
  document: DocumentNode,
  selector: string,
  accept: (element: ElementNode) => boolean,
  skip: (element: ElementNode) => boolean,
): ElementNode | null {
  const compiled = compileSelector(selector);
  if (!compiled.tags) return findFirstElement(document, (element) => matches(element, compiled) && accept(element), skip);
  const found = candidates(document, compiled.tags).find(
    (element) => matches(element, compiled) && !isWithin(element, skip) && accept(element),
  );
  return found ?? null;
}
