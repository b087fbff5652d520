/**
 * Text and link-text lengths of elements, memoised so that measuring `<body>` once makes every
 * later question about a descendant free. Link density (link text / text) separates prose from
 * navigation: story paragraphs are mostly plain text, menus and related lists mostly links.
 */
import type { ElementNode } from "./html";

interface TextLengths {
  text: number;
  linkText: number;
}

const LINK_LIST_TAGS = new Set(["ul", "ol", "dl", "menu"]);
/** Above this share of link text a list is a "related stories" or navigation list. */
const LINK_LIST_MIN_DENSITY = 0.6;

export class TextMeasurer {
  private readonly lengths = new Map<ElementNode, TextLengths>();

  /** `isPruned` says which descendants do not count (the same rule the extraction reads with). */
  constructor(private readonly isPruned: (element: ElementNode) => boolean) {}

  /**
   * Lengths of the element's text, each text node counted without its surrounding whitespace
   * (indentation between tags would otherwise outweigh short links).
   */
  measure(element: ElementNode): TextLengths {
    const known = this.lengths.get(element);
    if (known) return known;
    const lengths: TextLengths = { text: 0, linkText: 0 };
    for (const child of element.children) {
      if (child.kind === "text") {
        lengths.text += child.text.trim().length;
      } else if (!this.isPruned(child)) {
        const childLengths = this.measure(child);
        lengths.text += childLengths.text;
        lengths.linkText += childLengths.linkText;
      }
    }
    if (element.tag === "a") lengths.linkText = lengths.text;
    this.lengths.set(element, lengths);
    return lengths;
  }

  linkDensity(element: ElementNode): number {
    const { text, linkText } = this.measure(element);
    return text === 0 ? 0 : linkText / text;
  }

  isLinkList(element: ElementNode): boolean {
    return LINK_LIST_TAGS.has(element.tag) && this.linkDensity(element) >= LINK_LIST_MIN_DENSITY;
  }
}
