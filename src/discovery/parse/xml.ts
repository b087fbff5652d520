/**
 * What every XML source body goes through before a parser sees it: entity declarations refused,
 * the root element named, well-formedness checked. Feeds, sitemaps and OPML share it.
 */
import { XMLValidator } from "fast-xml-parser";

/**
 * The prolog: everything before the root element's start tag (`<` then a name character).
 * Declarations, comments, processing instructions and the DOCTYPE's internal subset all start
 * with `<!` or `<?`, so the first `<name` is the root.
 */
function prologEnd(text: string): number {
  const match = /<[A-Za-z_:]/.exec(text);
  return match ? match.index : text.length;
}

/**
 * Why the body is refused before parsing, or null: a DOCTYPE declaring entities. Entity
 * expansion ("billion laughs") and external entities (`SYSTEM "file:///…"`, `SYSTEM "http://…"`)
 * are never expanded or fetched; no real feed or sitemap declares entities.
 */
export function entityRefusal(text: string): string | null {
  const prolog = text.slice(0, prologEnd(text));
  if (!/<!ENTITY/i.test(prolog)) return null;
  return "declares XML entities in its DOCTYPE; refused unread (entities are never expanded nor fetched)";
}

/** The root element's name as written (`rss`, `rdf:RDF`, `feed`, `urlset`…), or null when there is none. */
export function rootElement(text: string): string | null {
  const start = prologEnd(text);
  const match = /^<([A-Za-z_:][\w.:-]*)/.exec(text.slice(start, start + 256));
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
