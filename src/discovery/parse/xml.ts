/**
 * What every XML source body goes through before a parser sees it: entity declarations refused,
 * the root element named, well-formedness checked. Feeds, sitemaps and OPML share it.
 */
import { XMLValidator } from "fast-xml-parser";

interface Prolog {
  /** Where the root element's start tag begins (the text's length when there is none). */
  end: number;
  /** The DOCTYPE declaration, internal subset included, or null. */
  doctype: string | null;
}

const isSpace = (code: number) => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

/**
 * Everything before the root element: the XML declaration and processing instructions, comments
 * (WordPress writes one there) and the DOCTYPE. Read with `indexOf`, so it is linear in the body.
 */
function readProlog(text: string): Prolog {
  let at = 0;
  let doctype: string | null = null;
  const skipTo = (marker: string, from: number) => {
    const close = text.indexOf(marker, from);
    return close < 0 ? text.length : close + marker.length;
  };
  for (;;) {
    while (at < text.length && isSpace(text.charCodeAt(at))) at++;
    if (text.startsWith("<?", at)) at = skipTo("?>", at + 2);
    else if (text.startsWith("<!--", at)) at = skipTo("-->", at + 4);
    else if (text.slice(at, at + 9).toUpperCase() === "<!DOCTYPE") {
      const subset = text.indexOf("[", at);
      const close = text.indexOf(">", at);
      // An internal subset runs to `]>`; the first `]` is enough to find every declaration before it.
      const end = subset >= 0 && (close < 0 || subset < close) ? skipTo(">", skipTo("]", subset)) : skipTo(">", at);
      doctype = text.slice(at, end);
      at = end;
    } else return { end: at, doctype };
  }
}

/**
 * Why the body is refused before parsing, or null: a DOCTYPE declaring entities. Entity
 * expansion ("billion laughs") and external entities (`SYSTEM "file:///…"`, `SYSTEM "http://…"`)
 * are never expanded or fetched; no real feed or sitemap declares entities. A DOCTYPE naming an
 * external DTD only (RSS 0.91's Netscape DTD) is read past: no parser here fetches it.
 */
export function entityRefusal(text: string): string | null {
  const { doctype } = readProlog(text);
  if (doctype === null || !/<!ENTITY/i.test(doctype)) return null;
  return "declares XML entities in its DOCTYPE; refused unread (entities are never expanded nor fetched)";
}

/** The root element's name as written (`rss`, `rdf:RDF`, `feed`, `urlset`…), or null when there is none. */
export function rootElement(text: string): string | null {
  const { end } = readProlog(text);
  const match = /^<([A-Za-z_:][\w.:-]*)/.exec(text.slice(end, end + 256));
  return match ? match[1]! : null;
}

/** The local part of a qualified name: `rdf:RDF` → `RDF`. */
export function localName(name: string): string {
  return name.slice(name.indexOf(":") + 1);
}

/** Null when `text` is well-formed XML, else what is wrong and where. */
export function malformation(text: string): string | null {
  const result = XMLValidator.validate(text);
  if (result === true) return null;
  const { msg, line, col } = result.err;
  // A body cut short: fast-xml-parser lists the still-open elements as a JSON array.
  const open = /^Invalid '(\[[^]*\])' found\.$/.exec(msg)?.[1];
  const said = open ? `it ends inside ${unclosed(open)}` : `${msg} (line ${line}, column ${col})`;
  // The message repeats tag names from the body: bounded, like any echo of what a site sent.
  return `is malformed XML: ${said.length > 300 ? `${said.slice(0, 300)}…` : said}`;
}

function unclosed(list: string): string {
  try {
    return (JSON.parse(list) as string[]).map((name) => `<${name}>`).join(" ");
  } catch {
    return list;
  }
}
