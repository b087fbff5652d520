/**
 * OPML subscription lists (the feed readers' import/export format), read and written by
 * feedsmith: `POST /api/sources/opml` and `GET /api/sources.opml`.
 */
import { generateOpml, parseOpml as readOpml, type Opml } from "feedsmith";
import type { SourceType } from "../model";
import { SOURCE_TYPES } from "../model";
import { entityRefusal, malformation } from "./xml";

export interface OpmlOutline {
  url: string;
  title: string | null;
  /** null: detect it from the body (`type="rss"` is what readers write for every kind of feed). */
  type: SourceType | null;
}

export type OpmlOutcome = { ok: true; title: string | null; outlines: OpmlOutline[] } | { ok: false; error: string };

/**
 * An outline's type as a source type. Readers write `type="rss"` for Atom and JSON feeds alike,
 * so it means "a feed, detect which"; only Redline's own other types (written by renderOpml) are kept.
 */
function outlineType(type: string | undefined): SourceType | null {
  const known = SOURCE_TYPES.find((candidate) => candidate === type);
  return known === undefined || known === "rss" ? null : known;
}

/** Depth first, in document order: folders (outlines holding outlines) are flattened away. */
function flatten(outlines: Opml.Outline<string>[] | undefined, into: OpmlOutline[]): OpmlOutline[] {
  for (const outline of outlines ?? []) {
    const url = outline.xmlUrl?.trim();
    // Outlines without xmlUrl are folders or links to pages, not subscriptions.
    if (url) into.push({ url, title: outline.title?.trim() || outline.text?.trim() || null, type: outlineType(outline.type) });
    flatten(outline.outlines, into);
  }
  return into;
}

/** An OPML document's subscriptions: every outline with an `xmlUrl`, at any depth. */
export function parseOpml(text: string): OpmlOutcome {
  const refused = entityRefusal(text) ?? malformation(text);
  if (refused) return { ok: false, error: `the OPML document ${refused}` };
  try {
    const document = readOpml(text);
    return { ok: true, title: document.head?.title?.trim() || null, outlines: flatten(document.body?.outlines, []) };
  } catch (error) {
    return { ok: false, error: `the body is not an OPML document (${(error as Error).message})` };
  }
}

/** Sources as an OPML 2.0 subscription list; feedsmith escapes every value. */
export function renderOpml(
  title: string,
  sources: Array<{ url: string; title: string; type: SourceType }>,
  dateCreated: string,
): string {
  return generateOpml({
    head: { title, dateCreated },
    body: {
      outlines: sources.map((source) => ({
        text: source.title || source.url,
        title: source.title || source.url,
        type: source.type,
        xmlUrl: source.url,
      })),
    },
  });
}
