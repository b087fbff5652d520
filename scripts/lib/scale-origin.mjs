/**
 * The scale benchmark's origin (`npm run bench:scale`): many news sites on loopback, one Node
 * HTTP server per address (127.0.0.2, 127.0.0.3, …; Linux routes all of 127/8 to `lo`), so each
 * address is a distinct host to Redline's politeness. Every site serves a robots.txt and its
 * share of N generated article pages; a page's text depends only on its number and on how many
 * times it has changed by the origin's SIMULATED clock, which the benchmark moves
 * (`origin.setClock(ms)`). Pages answer conditional requests (ETag / Last-Modified → 304) as
 * each site's validator style says, and one site answers a few requests with 503 + Retry-After.
 *
 * Every request is logged with the simulated time and the wall time it arrived at, so the
 * benchmark can report requests per host per second on either clock.
 *
 * Listens on loopback addresses only; nothing here ever makes a request.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { random } from "./random.mjs";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A well-mixed 32-bit hash of small integers (for per-page decisions that need no state). */
function mix(...values) {
  let h = 0x811c9dc5;
  for (const value of values) {
    h = Math.imul(h ^ (value >>> 0), 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
  }
  return h >>> 0;
}
const unit = (...values) => mix(...values) / 4294967296;

// A small newsroom vocabulary: enough variety for the extractor to see prose, not boilerplate.
const NOUNS = (
  "minister council budget election report court village river harbour factory school hospital " +
  "committee official spokesperson agreement talks negotiators border ceasefire province capital " +
  "market shares exports inflation rate bank investors union workers strike protest police army " +
  "satellite launch drought harvest farmers storm flooding bridge railway airport ministry senate " +
  "parliament mayor residents survey scientists researchers vaccine clinic prices wages contract " +
  "pipeline reactor coastline festival museum archive court ruling appeal verdict prosecutors"
).split(/\s+/);
const VERBS = (
  "said announced confirmed denied reported warned argued agreed rejected approved delayed proposed " +
  "criticised welcomed suspended resumed expanded reduced questioned defended estimated recorded"
).split(/\s+/);
const ADJECTIVES = (
  "regional national local senior former independent temporary annual unexpected cautious " +
  "significant modest sharp gradual early late public private coastal northern southern eastern western"
).split(/\s+/);
const LINKS = "on in after before during across near with without against over under since".split(" ");
const NAMES = ["Kim Min-ji", "Ana Souza", "Tom Becker", "Priya Nair", "Lena Novak", "Omar Haddad", "Sara Lind", "Jon Ortiz", "Mei Tanaka", "Ravi Shah"];

function pick(next, list) {
  return list[Math.floor(next() * list.length)];
}

function sentence(next) {
  const words = [];
  const clauses = 2 + Math.floor(next() * 2);
  for (let clause = 0; clause < clauses; clause++) {
    words.push("the", pick(next, ADJECTIVES), pick(next, NOUNS), pick(next, VERBS), pick(next, LINKS), "the", pick(next, NOUNS));
    if (next() < 0.35) words.push(`${1 + Math.floor(next() * 98)} percent`);
    if (clause < clauses - 1) words.push(next() < 0.5 ? "and" : "while");
  }
  const text = words.join(" ");
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function headlineFor(next) {
  const text = `${pick(next, ADJECTIVES)} ${pick(next, NOUNS)} ${pick(next, VERBS)} ${pick(next, LINKS)} ${pick(next, NOUNS)} ${pick(next, NOUNS)}`;
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

const escapeHtml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const httpDate = (ms) => new Date(ms).toUTCString();
/** The site's own timestamps carry a fixed offset, as many newsrooms print them. */
function siteIso(ms) {
  const shifted = new Date(ms + 9 * HOUR_MS).toISOString().slice(0, 19);
  return `${shifted}+09:00`;
}

/**
 * How each site answers conditional requests: most send both validators, some only
 * Last-Modified, some none (an unchanged page then comes back 200 and Redline compares hashes).
 */
function validatorStyle(host) {
  const share = unit(host, 17);
  return share < 0.6 ? "etag" : share < 0.8 ? "last-modified" : "none";
}

/**
 * The simulated world: `pages` article pages over `hosts` sites. Page `i` lives on site `i % hosts`.
 * Pages chosen by `changeShare` change once per simulated day (at a time of day fixed per page),
 * starting on the day that begins at `epochMs`.
 */
export function createWorld({ pages, hosts, epochMs, changeShare = 0.05, publishedBeforeMs = 0, flakyHost = hosts - 1, flakyShare = 0.005, crawlDelayHosts = [], seed = 13 }) {
  const siteName = (host) => `The ${["Morning", "Evening", "Daily", "Coastal", "Northern", "Harbour", "Valley", "City"][host % 8]} ${["Herald", "Courier", "Post", "Ledger", "Tribune"][Math.floor(host / 8) % 5]} ${host + 1}`;

  /** Times (sim ms) at which page `i` changes, ascending, from its first day up to `untilMs`. */
  const changeTimes = (i, untilMs) => {
    const times = [];
    for (let day = 0; epochMs + day * DAY_MS <= untilMs; day++) {
      if (unit(seed, i, day) >= changeShare) continue;
      const at = epochMs + day * DAY_MS + Math.floor(unit(seed, i, day, 7) * DAY_MS);
      if (at <= untilMs) times.push(at);
    }
    return times;
  };

  /** Published time of page `i`: before the epoch (all pages exist when the run starts). */
  const publishedAt = (i) => epochMs - publishedBeforeMs - Math.floor(unit(seed, i, 3) * 6 * HOUR_MS) - 60_000;

  const path = (i) => {
    const next = random(mix(seed, i, 11));
    const slug = `${pick(next, NOUNS)}-${pick(next, VERBS)}-${pick(next, NOUNS)}`;
    return `/news/2026/${String(1 + (i % 12)).padStart(2, "0")}/${slug}-${i}.html`;
  };

  /**
   * The page as it stands at `simMs`: which version, its HTML, validators. `forcedEdits`: edits
   * made on top of the schedule (the benchmark's per-outcome samples), the last at `forcedAt`.
   */
  const page = (i, simMs, forcedEdits = 0, forcedAt = 0) => {
    const changes = changeTimes(i, simMs);
    const version = changes.length + forcedEdits;
    const modifiedMs = Math.max(changes.length === 0 ? publishedAt(i) : changes[changes.length - 1], forcedEdits > 0 ? forcedAt : 0);
    const next = random(mix(seed, i, 1));
    const headline = headlineFor(next);
    const byline = NAMES[i % NAMES.length];
    const paragraphs = Array.from({ length: 6 + Math.floor(next() * 4) }, () => [sentence(next), sentence(next), sentence(next)]);
    let title = headline;
    for (let v = 1; v <= version; v++) {
      // Each change edits one sentence (a figure or a word), and every fifth rewrites the headline.
      const edit = random(mix(seed, i, 100 + v));
      const p = Math.floor(edit() * paragraphs.length);
      const s = Math.floor(edit() * 3);
      paragraphs[p][s] = sentence(edit);
      if (edit() < 0.2) title = headlineFor(edit);
    }
    const host = i % hosts;
    const body = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>${escapeHtml(title)} | ${escapeHtml(siteName(host))}</title>
<meta property="og:title" content="${escapeHtml(title)}">
<meta name="author" content="${escapeHtml(byline)}">
<meta property="article:published_time" content="${siteIso(publishedAt(i))}">
<meta property="article:modified_time" content="${siteIso(modifiedMs)}">
</head><body>
<header><a href="/">${escapeHtml(siteName(host))}</a><nav><ul><li><a href="/world">World</a></li><li><a href="/business">Business</a></li><li><a href="/science">Science</a></li><li><a href="/opinion">Opinion</a></li></ul></nav></header>
<main><article>
<h1>${escapeHtml(title)}</h1>
<p class="byline">By ${escapeHtml(byline)}</p>
<p class="dateline">Published <time datetime="${siteIso(publishedAt(i))}">${httpDate(publishedAt(i))}</time>${version > 0 ? `, updated <time datetime="${siteIso(modifiedMs)}">${httpDate(modifiedMs)}</time>` : ""}</p>
${paragraphs.map((sentences) => `<p>${escapeHtml(sentences.join(" "))}</p>`).join("\n")}
</article>
<aside class="most-read"><h2>Most read</h2><ul>${[1, 2, 3, 4].map((k) => `<li><a href="${path((i + k * 7) % pages)}">${escapeHtml(headlineFor(random(mix(seed, (i + k * 7) % pages, 1))))}</a></li>`).join("")}</ul></aside>
</main>
<footer><p>© 2026 ${escapeHtml(siteName(host))}. All rights reserved.</p></footer>
</body></html>
`;
    const etag = `"p${i}-v${version}-${createHash("sha1").update(body).digest("hex").slice(0, 12)}"`;
    return { i, host, version, body, etag, lastModified: httpDate(modifiedMs), modifiedMs };
  };

  const robots = (host) => {
    if (unit(host, 5) < 0.1 && !crawlDelayHosts.includes(host)) return null; // no robots.txt: 404, allow all (RFC 9309 §2.3.1.3)
    const lines = ["User-agent: *", "Disallow: /search", "Disallow: /account/", ""];
    if (crawlDelayHosts.includes(host)) lines.push("User-agent: Redline", "Crawl-delay: 2", "Disallow: /search", "");
    lines.push(`Sitemap: /sitemap.xml`, "");
    return lines.join("\n");
  };

  return { pages, hosts, epochMs, seed, path, page, robots, changeTimes, siteName, validatorStyle, flakyHost, flakyShare };
}

/**
 * Starts one server per host address on one port. `world` is {@link createWorld}'s. Returns the
 * URL of every page, the clock setter and the request log.
 */
export async function startScaleOrigin(world, { firstAddress = 2 } = {}) {
  let simNow = world.epochMs;
  const addresses = Array.from({ length: world.hosts }, (_, host) => `127.0.0.${firstAddress + host}`);
  const hostOf = new Map(addresses.map((address, host) => [address, host]));
  /** Per host: sim ms, wall ms, kind (0 page, 1 robots), status of every request. */
  const log = addresses.map(() => ({ sim: [], wall: [], kind: [], status: [] }));
  const counts = { pages: 0, robots: 0, notModified: 0, ok: 0, unavailable: 0, notFound: 0 };
  let flakyCounter = 0;
  /** Per page: edits and an answer forced on top of the simulated world. */
  const forced = new Map();

  const handler = (host) => (request, response) => {
    const wall = performance.now();
    const url = new URL(request.url, "http://origin");
    const entry = log[host];
    const record = (kind, status) => {
      entry.sim.push(simNow);
      entry.wall.push(wall);
      entry.kind.push(kind);
      entry.status.push(status);
    };
    if (url.pathname === "/robots.txt") {
      counts.robots++;
      const text = world.robots(host);
      record(1, text === null ? 404 : 200);
      if (text === null) {
        response.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      } else {
        response.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) }).end(text);
      }
      return;
    }
    const match = /-(\d+)\.html$/.exec(url.pathname);
    const i = match ? Number(match[1]) : -1;
    if (i < 0 || i >= world.pages || i % world.hosts !== host || world.path(i) !== url.pathname) {
      counts.notFound++;
      record(0, 404);
      response.writeHead(404, { "Content-Type": "text/html; charset=utf-8" }).end("<!DOCTYPE html><title>Not found</title><h1>Not found</h1>\n");
      return;
    }
    counts.pages++;
    const override = forced.get(i);
    if (override?.status) {
      counts[override.status === 404 ? "notFound" : "unavailable"]++;
      record(0, override.status);
      response.writeHead(override.status, { "Content-Type": "text/plain", ...(override.status === 503 ? { "Retry-After": "120" } : {}) }).end("forced\n");
      return;
    }
    if (host === world.flakyHost && world.flakyShare > 0 && unit(world.seed, i, flakyCounter++) < world.flakyShare) {
      counts.unavailable++;
      record(0, 503);
      response.writeHead(503, { "Content-Type": "text/plain", "Retry-After": "120" }).end("busy\n");
      return;
    }
    const current = world.page(i, simNow, override?.edits ?? 0, override?.editedAt ?? 0);
    const style = world.validatorStyle(host);
    const headers = { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "max-age=60" };
    if (style === "etag") headers.ETag = current.etag;
    if (style !== "none") headers["Last-Modified"] = current.lastModified;
    const ifNoneMatch = request.headers["if-none-match"];
    const ifModifiedSince = request.headers["if-modified-since"];
    const notModified =
      style === "etag" && ifNoneMatch !== undefined
        ? ifNoneMatch.split(",").some((tag) => tag.trim() === current.etag)
        : style !== "none" && ifModifiedSince !== undefined && Date.parse(ifModifiedSince) >= Math.floor(current.modifiedMs / 1000) * 1000;
    if (notModified) {
      counts.notModified++;
      record(0, 304);
      response.writeHead(304, headers).end();
      return;
    }
    counts.ok++;
    record(0, 200);
    headers["Content-Length"] = Buffer.byteLength(current.body);
    response.writeHead(200, headers).end(current.body);
  };

  const servers = [];
  const listenAll = async (port) => {
    for (const [host, address] of addresses.entries()) {
      const server = createServer({ keepAlive: true }, handler(host));
      await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, address, () => resolve());
      });
      servers.push(server);
      if (port === 0) port = server.address().port;
    }
    return port;
  };
  let port;
  for (let attempt = 0; ; attempt++) {
    try {
      port = await listenAll(attempt === 0 ? 0 : 20_000 + Math.floor(Math.random() * 30_000));
      break;
    } catch (error) {
      await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
      if (attempt >= 5) throw error;
    }
  }

  const urlOf = (i) => `http://${addresses[i % world.hosts]}:${port}${world.path(i)}`;

  return {
    port,
    addresses,
    urlOf,
    hostOf: (address) => hostOf.get(address),
    setClock(ms) {
      simNow = ms;
    },
    get clock() {
      return simNow;
    },
    counts,
    log,
    /** Edits page `i` now (on the simulated clock), on top of its schedule. */
    forceEdit(i) {
      const entry = forced.get(i) ?? { edits: 0 };
      forced.set(i, { ...entry, edits: entry.edits + 1, editedAt: simNow });
    },
    /** Page `i` answers `status` (503 with Retry-After: 120, or 404) until cleared. */
    forceStatus(i, status) {
      forced.set(i, { ...(forced.get(i) ?? { edits: 0 }), status });
    },
    /** Back to the schedule, except for edits already made (a page does not un-edit). */
    clearForced(i) {
      const entry = forced.get(i);
      if (entry) forced.set(i, { ...entry, status: undefined });
    },
    /** Forgets the request log (between phases). */
    resetLog() {
      for (const entry of log) for (const key of Object.keys(entry)) entry[key] = [];
      for (const key of Object.keys(counts)) counts[key] = 0;
    },
    close: () => Promise.all(servers.map((server) => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }))),
  };
}

/**
 * The most requests any host received within any window of `windowMs` (half-open, so two
 * requests exactly one interval apart are in different windows), on the simulated or the wall
 * clock, and the smallest gap between two consecutive requests to one host. `kinds`: which
 * requests count (0 pages, 1 robots.txt).
 */
export function rateStats(log, { clock = "sim", windowMs = 1000, kinds = [0, 1] } = {}) {
  let maxInWindow = 0;
  let minGapMs = Number.POSITIVE_INFINITY;
  let worstHost = null;
  for (const [host, entry] of log.entries()) {
    const times = [];
    for (let index = 0; index < entry.sim.length; index++) if (kinds.includes(entry.kind[index])) times.push(entry[clock][index]);
    times.sort((a, b) => a - b);
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while (times[end] - times[start] >= windowMs) start++;
      if (end - start + 1 > maxInWindow) {
        maxInWindow = end - start + 1;
        worstHost = host;
      }
      if (end > 0) minGapMs = Math.min(minGapMs, times[end] - times[end - 1]);
    }
  }
  return { maxInWindow, minGapMs: Number.isFinite(minGapMs) ? minGapMs : null, worstHost };
}

/** Per host, the smallest gap between two page requests on the simulated clock (for hosts with a Crawl-delay). */
export function minGapByHost(log, kinds = [0]) {
  return log.map((entry) => {
    const times = [];
    for (let index = 0; index < entry.sim.length; index++) if (kinds.includes(entry.kind[index])) times.push(entry.sim[index]);
    times.sort((a, b) => a - b);
    let gap = Number.POSITIVE_INFINITY;
    for (let index = 1; index < times.length; index++) gap = Math.min(gap, times[index] - times[index - 1]);
    return Number.isFinite(gap) ? gap : null;
  });
}
