/**
 * Memento (RFC 7089) for tracked articles: pure helpers that turn a version list into TimeMaps,
 * pick the memento closest to a requested datetime, and build the Link headers. Mementos are
 * the versions (the captures that changed something); their datetime is the capture time to the
 * second, as RFC 7089 datetimes have no finer grain. A TimeMap also lists alternate mementos,
 * the same original held by another archive (the Wayback Machine's capture of a version); the
 * TimeGate, `first`/`last` and the TimeMap's `from`/`until` stay about Redline's own, the
 * mementos this server serves and chooses among.
 */
import type { VersionSummary } from "../storage/records";

export interface Memento {
  /** The version whose capture this memento is (the last one, if several fall in one second). */
  n: number;
  /** Capture time truncated to the second, epoch ms. */
  atMs: number;
}

/** `YYYYMMDDhhmmss` (UTC), the datetime in memento URIs. */
export function compactDatetime(atMs: number): string {
  return new Date(atMs).toISOString().replace(/\D/g, "").slice(0, 14);
}

/** Parses `YYYYMMDDhhmmss` or any prefix of it down to the year (missing parts are the earliest). */
export function parseCompactDatetime(text: string): number | null {
  if (!/^\d{4}(\d{2}){0,5}$/.test(text)) return null;
  const padded = (text + "0101000000".slice(text.length - 4)).padEnd(14, "0");
  const [year, month, day, hour, minute, second] = [0, 4, 6, 8, 10, 12].map((start, i) => Number(padded.slice(start, i === 0 ? 4 : start + 2)));
  const ms = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  return compactDatetime(ms) === padded ? ms : null;
}

/** RFC 1123 (`Tue, 19 Nov 2019 08:44:00 GMT`), the datetime in `Memento-Datetime` and Link `datetime`. */
export const httpDate = (atMs: number): string => new Date(atMs).toUTCString();

/**
 * `Accept-Datetime` must be an RFC 1123 date; anything else is refused rather than guessed. An
 * impossible date (30 Feb, 31 Apr, 23:59:60), which `Date.parse` rolls over, is refused too: the
 * date after the weekday must print back as given. A wrong weekday is forgiven: the date alone
 * says which instant is meant.
 */
export function parseHttpDate(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(trimmed)) return null;
  const ms = Date.parse(trimmed);
  return !Number.isNaN(ms) && httpDate(ms).slice(5) === trimmed.slice(5) ? ms : null;
}

/** One memento per capture second, oldest first; a later version in the same second replaces an earlier one. */
export function mementosOf(versions: readonly VersionSummary[]): Memento[] {
  const bySecond = new Map<number, Memento>();
  for (const version of versions) {
    const atMs = Math.floor(Date.parse(version.capturedAt) / 1000) * 1000;
    bySecond.set(atMs, { n: version.n, atMs });
  }
  return [...bySecond.values()].sort((a, b) => a.atMs - b.atMs);
}

/** The memento closest in time to `atMs` (the earlier one on a tie), as a TimeGate chooses; null if there are none. */
export function closestMemento(mementos: readonly Memento[], atMs: number): Memento | null {
  let best: Memento | null = null;
  for (const memento of mementos) {
    if (!best || Math.abs(memento.atMs - atMs) < Math.abs(best.atMs - atMs)) best = memento;
  }
  return best;
}

export interface MementoUris {
  original: string;
  timegate: string;
  timemapLink: string;
  timemapJson: string;
  memento: (memento: Memento) => string;
}

/** Redline's URI space for one original URL, under `origin`. */
export function mementoUris(origin: string, originalUrl: string): MementoUris {
  return {
    original: originalUrl,
    timegate: `${origin}/timegate/${originalUrl}`,
    timemapLink: `${origin}/timemap/link/${originalUrl}`,
    timemapJson: `${origin}/timemap/json/${originalUrl}`,
    memento: (memento) => `${origin}/memento/${compactDatetime(memento.atMs)}/${originalUrl}`,
  };
}

const mementoLink = (uris: MementoUris, memento: Memento, rel: string): string =>
  `<${uris.memento(memento)}>; rel="${rel}"; datetime="${httpDate(memento.atMs)}"`;

/** The `Link` header of a memento: original, timegate, timemap, and first/last/prev/next mementos. */
export function mementoLinkHeader(uris: MementoUris, mementos: readonly Memento[], current: Memento): string {
  const index = mementos.findIndex((memento) => memento.n === current.n);
  const links = [
    `<${uris.original}>; rel="original"`,
    `<${uris.timegate}>; rel="timegate"`,
    `<${uris.timemapLink}>; rel="timemap"; type="application/link-format"`,
    mementoLink(uris, mementos[0]!, "first memento"),
    mementoLink(uris, mementos.at(-1)!, "last memento"),
  ];
  if (index > 0) links.push(mementoLink(uris, mementos[index - 1]!, "prev memento"));
  if (index < mementos.length - 1) links.push(mementoLink(uris, mementos[index + 1]!, "next memento"));
  return links.join(", ");
}

/** A memento of the same original in another archive, listed in the TimeMap beside Redline's own. */
export interface AlternateMemento {
  uri: string;
  atMs: number;
  /** The Redline version it was requested for (a capture of the live page shortly after). */
  n: number;
}

/** Each alternate once (two versions can be given the same capture), to the second, oldest first. */
export function distinctAlternates(alternates: readonly AlternateMemento[]): AlternateMemento[] {
  const byUri = new Map<string, AlternateMemento>();
  for (const alternate of alternates) {
    if (!byUri.has(alternate.uri)) byUri.set(alternate.uri, { ...alternate, atMs: Math.floor(alternate.atMs / 1000) * 1000 });
  }
  return [...byUri.values()].sort((a, b) => a.atMs - b.atMs);
}

/** Redline's entries and the alternates in one datetime order; Redline's own first within a second. */
function byDatetime<T>(own: Array<{ atMs: number; item: T }>, others: Array<{ atMs: number; item: T }>): T[] {
  return [...own, ...others].sort((a, b) => a.atMs - b.atMs).map(({ item }) => item);
}

/** The TimeMap in link format (RFC 7089 §5.1), one link per line for readability. */
export function linkFormatTimeMap(uris: MementoUris, mementos: readonly Memento[], alternates: readonly AlternateMemento[] = []): string {
  const own = mementos.map((memento, index) => {
    const rel = [index === 0 ? "first" : "", index === mementos.length - 1 ? "last" : "", "memento"].filter(Boolean).join(" ");
    return { atMs: memento.atMs, item: mementoLink(uris, memento, rel) };
  });
  const others = distinctAlternates(alternates).map((alternate) => ({ atMs: alternate.atMs, item: `<${alternate.uri}>; rel="memento"; datetime="${httpDate(alternate.atMs)}"` }));
  const lines = [
    `<${uris.original}>; rel="original"`,
    `<${uris.timemapLink}>; rel="self"; type="application/link-format"; from="${httpDate(mementos[0]!.atMs)}"; until="${httpDate(mementos.at(-1)!.atMs)}"`,
    `<${uris.timegate}>; rel="timegate"`,
    ...byDatetime(own, others),
  ];
  return `${lines.join(",\n")}\n`;
}

interface JsonTimeMapItem {
  datetime: string;
  uri: string;
  version: number;
  archive?: string;
}

/**
 * The TimeMap as JSON, in the shape the Memento aggregators and pywb use. `list` holds the
 * alternates too, each naming its `archive` (the host that serves it); `first` and `last` are Redline's.
 */
export function jsonTimeMap(uris: MementoUris, mementos: readonly Memento[], alternates: readonly AlternateMemento[] = []) {
  const item = (memento: Memento): JsonTimeMapItem => ({ datetime: new Date(memento.atMs).toISOString(), uri: uris.memento(memento), version: memento.n });
  const own = mementos.map((memento) => ({ atMs: memento.atMs, item: item(memento) }));
  const others = distinctAlternates(alternates).map((alternate) => ({
    atMs: alternate.atMs,
    item: { datetime: new Date(alternate.atMs).toISOString(), uri: alternate.uri, version: alternate.n, archive: new URL(alternate.uri).host },
  }));
  return {
    original_uri: uris.original,
    timegate_uri: uris.timegate,
    timemap_uri: { link_format: uris.timemapLink, json_format: uris.timemapJson },
    mementos: { first: item(mementos[0]!), last: item(mementos.at(-1)!), list: byDatetime(own, others) },
  };
}
