/**
 * The one rule, shared by site profiles and the generic reader, for which subtrees are not story
 * text: never-text elements (scripts, forms, figures, hidden), the profile's `exclude`, elements
 * with boilerplate class/id names, and link lists.
 */
import { hasBoilerplateName, isUnrendered } from "./boilerplate";
import type { DocumentNode, ElementNode } from "./html";
import { TextMeasurer } from "./measure";
import { type CompiledSelector, matches } from "./selector";

/**
 * A boilerplate name on an element holding more than this share of the page's text describes the
 * page rather than the element: `<div class="post tag-news">` or `<div class="has-sidebar">`
 * wrapping the whole story must not take the story with it. Forms follow the same rule.
 */
const MAX_PRUNED_SHARE_OF_PAGE_TEXT = 0.5;

/** Verdicts in `createPruning`'s per-element table. */
const UNKNOWN = 0;
const FURNITURE = 1;
const NOT_FURNITURE = 2;

export interface Pruning {
  isPruned: (element: ElementNode) => boolean;
  /** Measures text as the extraction reads it, i.e. without pruned subtrees. */
  measurer: TextMeasurer;
}

export function createPruning(document: DocumentNode, exclude: CompiledSelector | null): Pruning {
  const renderedText = new TextMeasurer(document, isUnrendered);
  const pageTextLength = renderedText.textLength(document);
  // Every walk over the page asks again about the same elements: remember the answers.
  const furnitureVerdicts = new Uint8Array(document.elementCount);
  const isFurniture = (element: ElementNode): boolean => {
    const known = furnitureVerdicts[element.index];
    if (known !== UNKNOWN) return known === FURNITURE;
    const verdict =
      isUnrendered(element) ||
      (exclude !== null && matches(element, exclude)) ||
      ((element.tag === "form" || hasBoilerplateName(element)) &&
        renderedText.textLength(element) <= pageTextLength * MAX_PRUNED_SHARE_OF_PAGE_TEXT);
    furnitureVerdicts[element.index] = verdict ? FURNITURE : NOT_FURNITURE;
    return verdict;
  };
  const measurer = new TextMeasurer(document, isFurniture);
  return {
    isPruned: (element) => isFurniture(element) || measurer.isLinkList(element),
    measurer,
  };
}
