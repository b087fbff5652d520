/**
 * Text and link-text lengths of elements, memoised so that measuring `<body>` once makes every
 * later question about a descendant free. Link density (link text / text) separates prose from
 * navigation: story paragraphs are mostly plain text, menus and related lists mostly links.
 */
import type { DocumentNode, ElementNode } from "./html";

const LINK_LIST_TAGS = new Set(["ul", "ol", "dl", "menu"]);
/** Above this share of link text a list is a "related stories" or navigation list. */
const LINK_LIST_MIN_DENSITY = 0.6;
const NOT_MEASURED = -1;

export class TextMeasurer {
  /** Lengths by element index (arrays, not maps: every element of the page gets measured). */
  private readonly textLengths: Int32Array;
  private readonly linkTextLengths: Int32Array;

  /** `isPruned` says which descendants do not count (the same rule the extraction reads with). */
  constructor(
    document: DocumentNode,
    private readonly isPruned: (element: ElementNode) => boolean,
  ) {
    this.textLengths = new Int32Array(document.elementCount).fill(NOT_MEASURED);
    this.linkTextLengths = new Int32Array(document.elementCount);
  }

  /**
   * Length of the element's text, each text node counted without its surrounding whitespace
   * (indentation between tags would otherwise outweigh short links).
   */
  textLength(element: ElementNode): number {
    const known = this.textLengths[element.index] ?? NOT_MEASURED;
    if (known !== NOT_MEASURED) return known;
    let text = 0;
    let linkText = 0;
    for (const child of element.children) {
      if (child.kind === "text") {
        text += child.text.trim().length;
      } else if (!this.isPruned(child)) {
        text += this.textLength(child);
        linkText += this.linkTextLengths[child.index] ?? 0;
      }
    }
    this.textLengths[element.index] = text;
    this.linkTextLengths[element.index] = element.tag === "a" ? text : linkText;
    return text;
  }

  linkDensity(element: ElementNode): number {
    const text = this.textLength(element);
    return text === 0 ? 0 : (this.linkTextLengths[element.index] ?? 0) / text;
  }

  isLinkList(element: ElementNode): boolean {
    return LINK_LIST_TAGS.has(element.tag) && this.linkDensity(element) >= LINK_LIST_MIN_DENSITY;
  }
}
