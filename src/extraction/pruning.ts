/**
 * The one rule, shared by site profiles and the generic reader, for which subtrees are not story
 * text: never-text elements (scripts, forms, figures, hidden), the profile's `exclude`, elements
 * with boilerplate class/id names, and link lists.
 */
import { hasBoilerplateName, isFurnitureLandmark, isNeverText, rememberedByNames } from "./boilerplate";
import type { ElementNode } from "./html";
import { TextMeasurer } from "./measure";
import { type CompiledSelector, matches } from "./selector";

/**
 * A boilerplate name on an element holding more than this share of the page's text describes the
 * page rather than the element: `<div class="post tag-news">` or `<div class="has-sidebar">`
 * wrapping the whole story must not take the story with it. Forms follow the same rule.
 */
const MAX_PRUNED_SHARE_OF_PAGE_TEXT = 0.5;

export interface Pruning {
  isPruned: (element: ElementNode) => boolean;
  /** Measures text as the extraction reads it, i.e. without pruned subtrees. */
  measurer: TextMeasurer;
}

export function createPruning(root: ElementNode, exclude: CompiledSelector | null): Pruning {
  const renderedText = new TextMeasurer((element) => isNeverText(element) || isFurnitureLandmark(element));
  const pageTextLength = renderedText.measure(root).text;
  // Every walk over the page asks again about the same elements: remember the answers per
  // element (and, for names, per name).
  const furnitureVerdicts = new Map<ElementNode, boolean>();
  const hasRememberedBoilerplateName = rememberedByNames(hasBoilerplateName);
  const hasBoilerplateNameRemembered = (element: ElementNode): boolean =>
    (element.classes.length > 0 || element.attributes.has("id")) && hasRememberedBoilerplateName(element);
  const isFurniture = (element: ElementNode): boolean => {
    let verdict = furnitureVerdicts.get(element);
    if (verdict === undefined) {
      verdict =
        isNeverText(element) ||
        (exclude !== null && matches(element, exclude)) ||
        isFurnitureLandmark(element) ||
        ((element.tag === "form" || hasBoilerplateNameRemembered(element)) &&
          renderedText.measure(element).text <= pageTextLength * MAX_PRUNED_SHARE_OF_PAGE_TEXT);
      furnitureVerdicts.set(element, verdict);
    }
    return verdict;
  };
  const measurer = new TextMeasurer(isFurniture);
  return {
    isPruned: (element) => isFurniture(element) || measurer.isLinkList(element),
    measurer,
  };
}
