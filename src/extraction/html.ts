/**
 * A small, tolerant HTML reader that builds only the tree extraction needs.
 *
 * workerd has no DOM, and a full DOM (CSS engine, live collections, serialisers) costs far more
 * than extraction needs; even htmlparser2's general-purpose state machine made parsing twice as
 * slow as this reader, which jumps between tags with `indexOf` and reads tags with small
 * character loops. It follows the HTML standard's tree-building rules where they change which
 * text belongs to which element:
 *  - void elements never take children; `</br>` is a `<br>`;
 *  - raw-text elements (`script`, `style`, `textarea`, `title`, `noscript`, `iframe`, …) run to
 *    their own end tag, so markup inside a script string cannot open elements;
 *  - a block start tag closes an open `<p>`; `<li>`, `<dt>`/`<dd>`, `<tr>`, `<td>`/`<th>` and
 *    `<option>` close their open predecessor;
 *  - an end tag closes everything opened after its element, and is ignored when no such element
 *    is open within its scope (a stray `</div>` inside a table cell cannot close the page);
 *  - nesting deeper than browsers allow is flattened, as browsers do.
 * Comments, doctypes, processing instructions and CDATA are dropped; entities are decoded by the
 * `entities` package (the WHATWG table, legacy semicolon-less forms included).
 */
import { decodeHTML, decodeHTMLAttribute } from "entities/decode";
import { Vocabulary } from "./vocabulary";

/**
 * An element of the parsed tree. A class rather than a plain record, and attributes in a flat
 * list rather than a Map: pages hold thousands of elements, and per-element allocations were a
 * third of extraction time in garbage collection alone.
 */
export class ElementNode {
  readonly kind = "element";
  /** Shared and empty until a first child arrives: most elements have none or one. */
  private childList: HtmlNode[] = NO_CHILDREN;

  constructor(
    /** Lower-case tag name. */
    readonly tag: string,
    /** Lower-case names and entity-decoded values, alternating; the first of duplicates wins. */
    private readonly attributeList: readonly string[],
    readonly parent: ElementNode | null,
    /** Position in document order, the document itself being 0: per-element tables are arrays. */
    readonly index: number,
  ) {}

  getAttribute(name: string): string | undefined {
    return valueIn(this.attributeList, name);
  }

  hasAttribute(name: string): boolean {
    return this.getAttribute(name) !== undefined;
  }

  get hasAttributes(): boolean {
    return this.attributeList.length > 0;
  }

  /** Whether `name` is one of the whitespace-separated tokens of the `class` attribute. */
  hasClass(name: string): boolean {
    const classes = this.getAttribute("class");
    if (classes === undefined || name === "") return false;
    for (let at = classes.indexOf(name); at >= 0; at = classes.indexOf(name, at + 1)) {
      const end = at + name.length;
      const startsToken = at === 0 || isTagSpace(classes.charCodeAt(at - 1));
      if (startsToken && (end === classes.length || isTagSpace(classes.charCodeAt(end)))) return true;
    }
    return false;
  }

  get children(): readonly HtmlNode[] {
    return this.childList;
  }

  /** For the parser, which builds the tree; readers see `children` only. */
  appendChild(node: HtmlNode): void {
    if (this.childList === NO_CHILDREN) this.childList = [node];
    else this.childList.push(node);
  }
}

/**
 * The parsed page: the root of the tree, which knows how many elements it holds and where each
 * tag occurs, so that looking up a page's `<meta>`s or `<h1>` is not a walk over the whole tree.
 */
export class DocumentNode extends ElementNode {
  private count = 1;
  private readonly byTag = new Map<string, ElementNode[]>();

  constructor() {
    super("#document", NO_ATTRIBUTES, null, 0);
  }

  get elementCount(): number {
    return this.count;
  }

  /** Every element with this lower-case tag, in document order (`getElementsByTagName`). */
  elementsByTag(tag: string): readonly ElementNode[] {
    return this.byTag.get(tag) ?? NO_ELEMENTS;
  }

  /** For the parser: a new element, numbered and indexed by tag. */
  createElement(tag: string, attributes: readonly string[], parent: ElementNode): ElementNode {
    const element = new ElementNode(tag, attributes, parent, this.count++);
    const sameTag = this.byTag.get(tag);
    if (sameTag) sameTag.push(element);
    else this.byTag.set(tag, [element]);
    return element;
  }
}

export interface TextNode {
  readonly kind: "text";
  text: string;
}

export type HtmlNode = ElementNode | TextNode;

/**
 * Browsers flatten nesting beyond a fixed depth (Blink uses 512); doing the same keeps every
 * recursive walk over the tree safe from stack overflow on pathological markup such as
 * 100,000 unclosed `<div>`s.
 */
const MAX_TREE_DEPTH = 400;

const VOID_TAGS = new Set([
  "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
  "source", "track", "wbr",
]);

/**
 * Elements whose content is text up to their end tag. `noscript` belongs here because browsers
 * with scripting enabled read it so; its content duplicates what scripts would render anyway.
 */
const RAW_TEXT_TAGS = new Set([
  "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "svg", "math",
]);
/** Raw-text elements whose entities are still decoded (RCDATA in the standard). */
const ESCAPABLE_RAW_TEXT_TAGS = new Set(["textarea", "title"]);
/**
 * Raw text that is never read: dropping it keeps the tree small. JSON-LD scripts are kept.
 * Inline SVG and MathML are never story text either, and icon-heavy pages carry thousands of
 * their elements, so they are skipped to their end tag instead of being built into the tree.
 */
const DISCARDED_RAW_TEXT_TAGS = new Set(["style", "script", "xmp", "iframe", "noembed", "noframes", "noscript", "svg", "math"]);

/** Start tags that close an open `<p>`. */
const CLOSES_PARAGRAPH = new Set([
  "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl",
  "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
  "header", "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "search", "section",
  "summary", "table", "ul", "dd", "dt", "li", "listing", "plaintext", "xmp",
]);

/**
 * Start tags that close an open sibling of the same family, and the elements that stop the search
 * for one (a nested list's `<li>` must not close the outer list's item).
 */
const CLOSES_SIBLING: ReadonlyMap<string, { closes: readonly string[]; stopAt: ReadonlySet<string> }> =
  (() => {
    const listBoundaries = new Set(["ul", "ol", "menu", "dl", "table", "td", "th", "body", "html"]);
    const cellBoundaries = new Set(["tr", "table", "tbody", "thead", "tfoot", "html"]);
    const rowBoundaries = new Set(["table", "tbody", "thead", "tfoot", "html"]);
    const listItem = { closes: ["li"], stopAt: listBoundaries };
    const definition = { closes: ["dt", "dd"], stopAt: listBoundaries };
    const cell = { closes: ["td", "th"], stopAt: cellBoundaries };
    const row = { closes: ["tr", "td", "th"], stopAt: rowBoundaries };
    const section = { closes: ["tbody", "thead", "tfoot", "tr", "td", "th"], stopAt: new Set(["table", "html"]) };
    const option = { closes: ["option"], stopAt: new Set(["select", "datalist", "optgroup", "html"]) };
    return new Map([
      ["li", listItem], ["dt", definition], ["dd", definition], ["td", cell], ["th", cell],
      ["tr", row], ["tbody", section], ["thead", section], ["tfoot", section], ["option", option],
      ["optgroup", { closes: ["option", "optgroup"], stopAt: option.stopAt }],
    ]);
  })();

/** Elements an end tag (or a `<p>`-closing start tag) does not search past. */
const SCOPE_BOUNDARIES = new Set([
  "applet", "caption", "html", "table", "td", "th", "marquee", "object", "template", "button",
]);
/** Table parts' end tags search up to their table: `</table>` inside a cell closes the cell too. */
const TABLE_PARTS = new Set(["table", "caption", "colgroup", "tbody", "thead", "tfoot", "tr", "td", "th"]);
const TABLE_SCOPE_BOUNDARIES = new Set(["table", "html", "template"]);
/** Browsers keep `<body>` and `<html>` open whatever end tags say; content after them still counts. */
const NEVER_CLOSED = new Set(["body", "html"]);
/** What may stay inside `<head>`; anything else (even without `<body>`) starts the body. */
const HEAD_CONTENT = new Set(["base", "link", "meta", "noscript", "script", "style", "template", "title"]);

/** These close themselves when written `<svg/>`, as foreign (SVG, MathML) elements do in browsers. */
const FOREIGN_ROOTS = new Set(["svg", "math"]);

export function isJsonLdScript(element: ElementNode): boolean {
  return (
    element.tag === "script" &&
    (element.getAttribute("type") ?? "").trim().toLowerCase() === "application/ld+json"
  );
}

const decodeText = (text: string): string => (text.includes("&") ? decodeHTML(text) : text);

/** Shared by the many elements without attributes or children, to spare the allocations. */
const NO_ATTRIBUTES: readonly string[] = [];
const NO_CHILDREN: HtmlNode[] = [];
const NO_ELEMENTS: readonly ElementNode[] = [];

/** The tree under construction: the open-element stack and where new nodes go. */
class TreeBuilder {
  readonly root = new DocumentNode();
  /** Open elements, outermost first; `root` is always at index 0. */
  private readonly open: ElementNode[] = [this.root];
  /**
   * How many elements of each tag are open. Searches for an element to close return at once when
   * none is open, which keeps 100,000 unclosed `<div>`s from costing 100,000 scans each.
   */
  private readonly openCounts = new Map<string, number>();

  private isOpen(tag: string): boolean {
    return (this.openCounts.get(tag) ?? 0) > 0;
  }

  private countOpen(tag: string, change: 1 | -1): void {
    this.openCounts.set(tag, (this.openCounts.get(tag) ?? 0) + change);
  }

  private get insertionParent(): ElementNode {
    return this.open[Math.min(this.open.length, MAX_TREE_DEPTH) - 1] ?? this.root;
  }

  appendText(text: string): void {
    if (text === "") return;
    const parent = this.insertionParent;
    const previous = parent.children.at(-1);
    if (previous?.kind === "text") previous.text += text;
    else parent.appendChild({ kind: "text", text });
  }

  /** Opens an element; void and self-closed elements are closed at once. */
  openElement(tag: string, attributes: readonly string[], selfClosing: boolean): ElementNode {
    if (this.insertionParent.tag === "head" && !HEAD_CONTENT.has(tag)) this.closeElement("head");
    if (CLOSES_PARAGRAPH.has(tag)) this.closeWithin("p", SCOPE_BOUNDARIES);
    const sibling = CLOSES_SIBLING.get(tag);
    if (sibling) this.closeWithin(sibling.closes, sibling.stopAt);
    const parent = this.insertionParent;
    const element = this.root.createElement(tag, attributes, parent);
    parent.appendChild(element);
    if (!VOID_TAGS.has(tag) && !selfClosing) {
      this.open.push(element);
      this.countOpen(tag, 1);
    }
    return element;
  }

  closeElement(tag: string): void {
    if (NEVER_CLOSED.has(tag) || !this.isOpen(tag)) return;
    this.closeWithin(tag, TABLE_PARTS.has(tag) ? TABLE_SCOPE_BOUNDARIES : SCOPE_BOUNDARIES);
  }

  /**
   * Pops up to and including the innermost open element named by `targets` (one tag, or any of
   * several), unless a boundary comes first.
   */
  private closeWithin(targets: string | readonly string[], boundaries: ReadonlySet<string>): void {
    const single = typeof targets === "string";
    if (single ? !this.isOpen(targets) : !this.isAnyOpen(targets)) return;
    for (let index = this.open.length - 1; index > 0; index--) {
      const tag = this.open[index]?.tag ?? "";
      if (single ? tag === targets : targets.includes(tag)) {
        while (this.open.length > index) this.countOpen(this.open.pop()?.tag ?? "", -1);
        return;
      }
      if (boundaries.has(tag)) return;
    }
  }

  private isAnyOpen(tags: readonly string[]): boolean {
    for (const tag of tags) {
      if (this.isOpen(tag)) return true;
    }
    return false;
  }
}

const isTagSpace = (code: number): boolean =>
  code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const GREATER_THAN = 0x3e;
const DOUBLE_QUOTE = 0x22;
const EXCLAMATION_MARK = 0x21;
const QUESTION_MARK = 0x3f;
const SINGLE_QUOTE = 0x27;

const isAsciiLetter = (code: number): boolean =>
  (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);

/** End of the tag name starting at `from`, or `from` itself when no name (a letter) starts there. */
function tagNameEnd(html: string, from: number): number {
  if (!isAsciiLetter(html.charCodeAt(from))) return from;
  let position = from + 1;
  while (position < html.length) {
    const code = html.charCodeAt(position);
    if (isTagSpace(code) || code === SLASH || code === GREATER_THAN) break;
    position++;
  }
  return position;
}

/**
 * The tag and attribute names nearly every page is made of, interned: reading `<div class=…>`
 * then allocates no name strings, and set look-ups and comparisons on these names are cheap.
 * Any other name is sliced and lower-cased as usual.
 */
const COMMON_NAMES = new Vocabulary([
  "a", "article", "aside", "b", "blockquote", "body", "br", "button", "code", "dd", "div", "dl",
  "dt", "em", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head",
  "header", "hr", "html", "i", "iframe", "img", "input", "label", "li", "link", "main", "meta",
  "nav", "noscript", "ol", "option", "p", "picture", "pre", "script", "section", "select", "small",
  "source", "span", "strong", "style", "sup", "svg", "table", "tbody", "td", "template", "th",
  "time", "title", "tr", "u", "ul",
  "alt", "aria-hidden", "aria-label", "as", "charset", "class", "content", "crossorigin",
  "data-id", "data-src", "data-testid", "datetime", "decoding", "defer", "dir", "for", "height",
  "hidden", "href", "http-equiv", "id", "itemprop", "itemscope", "itemtype", "lang", "loading",
  "media", "name", "property", "rel", "role", "sizes", "src", "srcset", "tabindex", "target",
  "type", "value", "width",
]);

/** The lower-cased name from `start` to `end`. */
function readName(html: string, start: number, end: number): string {
  return COMMON_NAMES.find(html, start, end) ?? html.slice(start, end).toLowerCase();
}

/** Index just past the next `>` at or after `from`, or the end of input. */
function pastNextGreaterThan(html: string, from: number): number {
  const close = html.indexOf(">", from);
  return close < 0 ? html.length : close + 1;
}

/**
 * Reads attributes from `from` up to the tag's `>` (or the end of input) into `into` as
 * alternating names and values, and returns where it stopped, following the standard's
 * attribute states. Written as a character loop: it runs for every tag, and regular-expression
 * match arrays made it the parser's hottest spot.
 */
function readAttributes(html: string, from: number, into: string[]): number {
  const length = html.length;
  let position = from;
  for (;;) {
    while (position < length) {
      const code = html.charCodeAt(position);
      if (!isTagSpace(code) && code !== SLASH) break;
      position++;
    }
    if (position >= length || html.charCodeAt(position) === GREATER_THAN) break;
    const nameStart = position;
    // The first character may be "=" (a parse error browsers keep as part of the name).
    position++;
    while (position < length) {
      const code = html.charCodeAt(position);
      if (isTagSpace(code) || code === SLASH || code === GREATER_THAN || code === EQUALS) break;
      position++;
    }
    const name = readName(html, nameStart, position);
    let afterName = position;
    while (afterName < length && isTagSpace(html.charCodeAt(afterName))) afterName++;
    let value = "";
    if (html.charCodeAt(afterName) === EQUALS) {
      let valueStart = afterName + 1;
      while (valueStart < length && isTagSpace(html.charCodeAt(valueStart))) valueStart++;
      const quote = html.charCodeAt(valueStart);
      if (quote === DOUBLE_QUOTE || quote === SINGLE_QUOTE) {
        const close = html.indexOf(quote === DOUBLE_QUOTE ? '"' : "'", valueStart + 1);
        const valueEnd = close < 0 ? length : close;
        value = html.slice(valueStart + 1, valueEnd);
        position = valueEnd + 1;
      } else {
        position = valueStart;
        while (position < length) {
          const code = html.charCodeAt(position);
          if (isTagSpace(code) || code === GREATER_THAN) break;
          position++;
        }
        value = html.slice(valueStart, position);
      }
    }
    if (valueIn(into, name) === undefined) into.push(name, value.includes("&") ? decodeHTMLAttribute(value) : value);
  }
  return position;
}

/** The value of `name` in a list of alternating attribute names and values. */
function valueIn(attributes: readonly string[], name: string): string | undefined {
  for (let position = 0; position < attributes.length; position += 2) {
    if (attributes[position] === name) return attributes[position + 1];
  }
  return undefined;
}

const rawTextEndTags = new Map<string, RegExp>();

/** Index just past the end tag of raw-text element `tag` (or the end of input), and where its text stops. */
function rawTextEnd(html: string, tag: string, from: number): { textEnd: number; end: number } {
  let endTag = rawTextEndTags.get(tag);
  if (!endTag) {
    endTag = new RegExp(`</${tag}[\\s/>]`, "ig");
    rawTextEndTags.set(tag, endTag);
  }
  endTag.lastIndex = from;
  const match = endTag.exec(html);
  if (!match) return { textEnd: html.length, end: html.length };
  const close = html.indexOf(">", match.index);
  return { textEnd: match.index, end: close < 0 ? html.length : close + 1 };
}

/**
 * The text from `start` to `end`. Most text between tags is indentation; every reader collapses
 * whitespace, so such a run becomes one shared space instead of a copy of itself.
 */
function textBetween(html: string, start: number, end: number): string {
  let position = start;
  while (position < end && isTagSpace(html.charCodeAt(position))) position++;
  return position === end ? " " : decodeText(html.slice(start, end));
}

/** Parses any string into a tree rooted at a synthetic `#document` element; never throws. */
export function parseHtml(input: string): DocumentNode {
  const html = input.startsWith("\uFEFF") ? input.slice(1) : input;
  const tree = new TreeBuilder();
  let position = 0;
  while (position < html.length) {
    const tagStart = html.indexOf("<", position);
    if (tagStart < 0) {
      tree.appendText(decodeText(html.slice(position)));
      break;
    }
    if (tagStart > position) tree.appendText(textBetween(html, position, tagStart));
    position = readMarkup(html, tagStart, tree);
  }
  return tree.root;
}

/** Consumes the markup starting with `<` at `start`; returns the index after it. */
function readMarkup(html: string, start: number, tree: TreeBuilder): number {
  const next = html.charCodeAt(start + 1);
  if (html.startsWith("<!--", start)) {
    const close = html.indexOf("-->", start + 4);
    return close < 0 ? html.length : close + 3;
  }
  if (next === EXCLAMATION_MARK || next === QUESTION_MARK) return pastNextGreaterThan(html, start);
  if (next === SLASH) {
    const name = readName(html, start + 2, tagNameEnd(html, start + 2));
    if (name === "br") tree.openElement("br", NO_ATTRIBUTES, true);
    else if (name) tree.closeElement(name);
    return pastNextGreaterThan(html, start + 2);
  }
  const nameEnd = tagNameEnd(html, start + 1);
  if (nameEnd === start + 1) {
    tree.appendText("<");
    return start + 1;
  }
  const tag = readName(html, start + 1, nameEnd);
  let attributes = NO_ATTRIBUTES;
  let attributesEnd = nameEnd;
  if (html.charCodeAt(nameEnd) !== GREATER_THAN) {
    const read: string[] = [];
    attributesEnd = readAttributes(html, nameEnd, read);
    if (read.length > 0) attributes = read;
  }
  // A tag cut off by the end of input is dropped, as browsers do.
  if (attributesEnd >= html.length) return html.length;
  const afterTag = attributesEnd + 1;
  const selfClosing = FOREIGN_ROOTS.has(tag) && html.charCodeAt(attributesEnd - 1) === SLASH;
  const element = tree.openElement(tag, attributes, selfClosing);
  if (!RAW_TEXT_TAGS.has(tag) || selfClosing) return afterTag;

  const { textEnd, end } = rawTextEnd(html, tag, afterTag);
  if (!DISCARDED_RAW_TEXT_TAGS.has(tag) || isJsonLdScript(element)) {
    const text = html.slice(afterTag, textEnd);
    tree.appendText(ESCAPABLE_RAW_TEXT_TAGS.has(tag) ? decodeText(text) : text);
  }
  tree.closeElement(tag);
  return end;
}

export function isAncestor(ancestor: ElementNode, element: ElementNode): boolean {
  for (let node = element.parent; node; node = node.parent) {
    if (node === ancestor) return true;
  }
  return false;
}

/** Concatenated text of every descendant text node, in document order. */
export function textContent(node: HtmlNode): string {
  if (node.kind === "text") return node.text;
  const parts: string[] = [];
  forEachDescendant(node, (descendant) => {
    if (descendant.kind === "text") parts.push(descendant.text);
    return true;
  });
  return parts.join("");
}

/**
 * Depth-first, document-order visit of the descendants of `element` (not `element` itself).
 * The visitor returns false to skip a node's subtree.
 */
function forEachDescendant(
  element: ElementNode,
  visit: (node: HtmlNode) => boolean,
): void {
  for (const child of element.children) {
    if (visit(child) && child.kind === "element") forEachDescendant(child, visit);
  }
}

/**
 * The first element under `root`, in document order, that satisfies `predicate`. Subtrees whose
 * root satisfies `skip` are not entered.
 */
export function findFirstElement(
  root: ElementNode,
  predicate: (element: ElementNode) => boolean,
  skip: (element: ElementNode) => boolean = () => false,
): ElementNode | null {
  let found: ElementNode | null = null;
  forEachDescendant(root, (node) => {
    if (found || node.kind !== "element" || skip(node)) return false;
    if (predicate(node)) found = node;
    return found === null;
  });
  return found;
}

/** Whether `element` or one of its ancestors satisfies `predicate`. */
export function isWithin(element: ElementNode, predicate: (element: ElementNode) => boolean): boolean {
  for (let node: ElementNode | null = element; node; node = node.parent) {
    if (predicate(node)) return true;
  }
  return false;
}

export function findAllElements(
  root: ElementNode,
  predicate: (element: ElementNode) => boolean,
): ElementNode[] {
  const found: ElementNode[] = [];
  forEachDescendant(root, (node) => {
    if (node.kind === "element" && predicate(node)) found.push(node);
    return true;
  });
  return found;
}
