import { describe, expect, it } from "vitest";
import { type ElementNode, findAllElements, parseHtml, textContent } from "./html";
import { compileSelector, selectAll } from "./selector";

/** Tag names of the children of the first element named `tag`, to see the shape of the tree. */
function childTags(root: ElementNode, tag: string): string[] {
  const element = findAllElements(root, (candidate) => candidate.tag === tag)[0];
  return (element?.children ?? []).map((child) => (child.kind === "element" ? child.tag : "#text"));
}

describe("parseHtml", () => {
  it("decodes entities in text and attributes, including legacy forms", () => {
    const root = parseHtml(`<p title="a &amp; b&quot;">Caf&eacute; &amp co &#39;x&#x27; &rsquo;&nbsp;end</p>`);
    const paragraph = findAllElements(root, (element) => element.tag === "p")[0];
    expect(paragraph?.getAttribute("title")).toBe('a & b"');
    expect(textContent(root)).toBe("Café & co 'x' ’\u00a0end");
  });

  it("closes paragraphs and list items the way browsers do", () => {
    const root = parseHtml("<div><p>one<p>two<ul><li>a<li>b<ul><li>c</ul></ul></div>");
    expect(childTags(root, "div")).toEqual(["p", "p", "ul"]);
    expect(childTags(root, "ul")).toEqual(["li", "li"]);
  });

  it("skips inline SVG and MathML to their end tag, and lets <svg/> close itself", () => {
    const root = parseHtml(`<p>Seoul<svg viewBox="0 0 9 9"><g><text>icon</text><path d="M0 0"/></g></svg> talks<math><mi>x</mi></math></p><p>a<svg class="i"/>b</p>`);
    expect(childTags(root, "p")).toEqual(["#text", "svg", "#text", "math"]);
    expect(textContent(root)).toBe("Seoul talksab");
  });

  it("keeps markup inside scripts and raw-text elements from opening elements", () => {
    const root = parseHtml(`<div><script>document.write("<p>not text</p></div>")</script><p>text</p></div>`);
    expect(childTags(root, "div")).toEqual(["script", "p"]);
    expect(textContent(root)).toBe("text");
  });

  it("keeps JSON-LD script text and drops other script and noscript text", () => {
    const root = parseHtml(
      `<script type="application/ld+json">{"a":1}</script><script>var x</script><noscript><p>dup</p></noscript>`,
    );
    expect(textContent(root)).toBe(`{"a":1}`);
  });

  it("ignores a stray end tag inside a table cell instead of closing the page", () => {
    const root = parseHtml("<div id=page><table><tr><td>cell</div>more</td></tr></table>after</div>");
    expect(childTags(root, "div")).toEqual(["table", "#text"]);
  });

  it("moves body content out of an unclosed head", () => {
    const root = parseHtml("<html><head><title>T</title><p>story</p>");
    expect(childTags(root, "head")).toEqual(["title"]);
  });

  it("flattens pathological nesting instead of overflowing the stack", () => {
    const root = parseHtml(`${"<div>".repeat(100_000)}deep`);
    expect(textContent(root)).toBe("deep");
  });

  it("survives truncated and garbage markup", () => {
    for (const input of ["<", "<a", "<a href='x", "</", "<!--", "<!doctype", "a < b > c", "<p>x</q></p></br>", "\uFEFF<p>bom"]) {
      expect(() => parseHtml(input)).not.toThrow();
    }
    expect(textContent(parseHtml("a < b > c"))).toBe("a < b > c");
    expect(textContent(parseHtml("\uFEFF<p>bom"))).toBe("bom");
  });
});

describe("selectors", () => {
  const root = parseHtml(`
    <div class="article-head"><h3 class="title main">Head</h3></div>
    <div id="body" data-kind="story"><p class="lead">Lead</p><div><p>Deep</p></div></div>
    <p class="lead">Outside</p>`);
  const texts = (selector: string): string[] => selectAll(root, selector).map((element) => textContent(element));

  it("matches tags, classes, ids, attributes, descendants and lists in document order", () => {
    expect(texts(".article-head .title")).toEqual(["Head"]);
    expect(texts("h3.title.main")).toEqual(["Head"]);
    expect(texts("#body p")).toEqual(["Lead", "Deep"]);
    expect(texts("[data-kind=story] .lead")).toEqual(["Lead"]);
    expect(texts('[data-kind="story"] div p')).toEqual(["Deep"]);
    expect(texts("p.lead, h3")).toEqual(["Head", "Lead", "Outside"]);
    expect(texts("[data-kind]")).toHaveLength(1);
  });

  it("reads tag and attribute names in any case, and class tokens split on any whitespace", () => {
    const page = parseHtml(`<DIV Class="Story\tbyline\nlead"><MARQUEE DATA-Kind=x>a</MARQUEE><Span class="author-box">b</Span></DIV>`);
    const select = (selector: string): string[] => selectAll(page, selector).map((element) => element.tag);
    expect(select("div.byline.lead")).toEqual(["div"]);
    expect(select("div.story")).toEqual([]);
    expect(select("marquee[data-kind=x]")).toEqual(["marquee"]);
    expect(select(".author, .box")).toEqual([]);
    expect(select("span.author-box")).toEqual(["span"]);
  });

  it("refuses syntax outside the supported subset", () => {
    expect(() => compileSelector("div > p")).toThrow(/unsupported selector/);
    expect(() => compileSelector("p:first-child")).toThrow(/unsupported selector/);
    expect(() => compileSelector("p, ")).toThrow(/empty selector/);
  });
});
