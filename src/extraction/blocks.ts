/**
 * Reads a container's text as the paragraphs a reader sees: every block-level element (p,
 * headings, list items, quotes, cells, divs holding loose text) starts and ends a paragraph, and
 * so does a run of two or more `<br>`s; a single `<br>` is a line break inside the paragraph.
 */
import type { ElementNode, HtmlNode } from "./html";
import { normalizeText } from "./text";

export interface TextBlock {
  /** The innermost block element holding the text; the generic scorer credits its ancestors. */
  owner: ElementNode;
  /** Whitespace-collapsed, trimmed, NFC. Never empty. */
  text: string;
  /** All of the text is bold (`<b>`, `<strong>`): a label, kicker or source line when short. */
  boldOnly: boolean;
}

const BOLD_TAGS = new Set(["b", "strong"]);

const BLOCK_TAGS = new Set([
  "address", "article", "blockquote", "body", "center", "dd", "details", "div", "dl", "dt",
  "fieldset", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li",
  "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
  "tr", "ul",
]);

const PARAGRAPH_BREAK_MIN_BRS = 2;
const HAS_VISIBLE_CHARACTER = /\S/;

/**
 * Paragraphs of `containers`, in document order. `isPruned` decides which descendant elements
 * are left out with their whole subtree; the containers themselves are always read.
 */
export function collectBlocks(
  containers: readonly ElementNode[],
  isPruned: (element: ElementNode) => boolean,
): TextBlock[] {
  const blocks: TextBlock[] = [];
  let pendingText: string[] = [];
  let pendingBreaks = 0;
  let boldDepth = 0;
  let pendingHasPlainText = false;

  const flush = (owner: ElementNode): void => {
    const text = normalizeText(pendingText.join(""));
    if (text) blocks.push({ owner, text, boldOnly: !pendingHasPlainText });
    pendingText = [];
    pendingBreaks = 0;
    pendingHasPlainText = false;
  };

  const visitChildren = (element: ElementNode, owner: ElementNode): void => {
    for (const child of element.children) visit(child, owner);
  };

  const visit = (node: HtmlNode, owner: ElementNode): void => {
    if (node.kind === "text") {
      if (HAS_VISIBLE_CHARACTER.test(node.text)) {
        if (pendingBreaks >= PARAGRAPH_BREAK_MIN_BRS) flush(owner);
        else if (pendingBreaks > 0) pendingText.push(" ");
        pendingBreaks = 0;
        if (boldDepth === 0) pendingHasPlainText = true;
      }
      pendingText.push(node.text);
      return;
    }
    if (node.tag === "br") {
      pendingBreaks++;
      return;
    }
    if (isPruned(node)) return;
    if (!BLOCK_TAGS.has(node.tag)) {
      const bold = BOLD_TAGS.has(node.tag);
      if (bold) boldDepth++;
      visitChildren(node, owner);
      if (bold) boldDepth--;
      return;
    }
    flush(owner);
    visitChildren(node, node);
    flush(node);
  };

  for (const container of containers) {
    visitChildren(container, container);
    flush(container);
  }
  return blocks;
}
