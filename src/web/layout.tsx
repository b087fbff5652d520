import type { Child } from "hono/jsx";
import { html } from "hono/html";
import { AccountNav } from "../auth/nav";
import { ICON_SVG, STYLESHEET } from "./assets";
import { AdminNavItem } from "./admin/nav";

/** A feed offered for autodiscovery: `<path>.atom`, `.rss` and `.json` exist, plus an optional query. */
export interface FeedRef {
  /** Without the extension, e.g. `/feeds/changes` or `/feeds/articles/<id>`. */
  path: string;
  title: string;
  query?: string;
}

/** Every change: the feed of pages that show no one article, site or source. */
export const ALL_CHANGES_FEED: FeedRef = { path: "/feeds/changes", title: "Redline: all changes" };

const FEED_FORMATS = [
  { extension: "atom", type: "application/atom+xml", label: "Atom" },
  { extension: "rss", type: "application/rss+xml", label: "RSS" },
  { extension: "json", type: "application/feed+json", label: "JSON Feed" },
] as const;

const feedHref = (feed: FeedRef, extension: string): string => `${feed.path}.${extension}${feed.query ? `?${feed.query}` : ""}`;

/** Plain links to the three formats of a feed, for readers who copy a URL into their feed reader. */
export function FeedLinks({ feed }: { feed: FeedRef }) {
  return (
    <span class="feeds">
      Feed:{" "}
      {FEED_FORMATS.map((format, index) => (
        <>
          {index > 0 ? " · " : ""}
          <a href={feedHref(feed, format.extension)} type={format.type}>{format.label}</a>
        </>
      ))}
    </span>
  );
}

interface LayoutProps {
  title: string;
  feed: FeedRef;
  children: Child;
}

/**
 * Every page: landmarks, a skip link, the stylesheet, and autodiscovery links for the feed that
 * matches what the page shows. No script anywhere.
 */
export function Layout({ title, feed, children }: LayoutProps) {
  // The doctype is a constant; `html` escapes anything interpolated, so nothing raw goes out.
  return html`<!DOCTYPE html>${(
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{title} · Redline</title>
        <link rel="stylesheet" href={STYLESHEET.path} />
        <link rel="icon" type={ICON_SVG.contentType} href={ICON_SVG.path} />
        {FEED_FORMATS.map((format) => (
          <link rel="alternate" type={format.type} title={`${feed.title} (${format.label})`} href={feedHref(feed, format.extension)} />
        ))}
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="site">
          <div class="wrap">
            <a class="brand" href="/">Red<span>line</span></a>
            <nav aria-label="Site">
              <ul>
                <li><a href="/">Recent changes</a></li>
                <li><a href="/sources">Sources</a></li>
                <li><a href="/feeds/changes.atom">All changes (Atom)</a></li>
                <li><a href="/api/status">Status (JSON)</a></li>
                <AdminNavItem />
              </ul>
            </nav>
            <form class="site-search" role="search" method="get" action="/search">
              <label for="site-search-q">Search every version</label>{" "}
              <input type="search" id="site-search-q" name="q" required maxlength={500} />{" "}
              <button type="submit">Search</button>
            </form>
            <AccountNav />
          </div>
        </header>
        <main id="main" class="wrap" tabindex={-1}>
          {children}
        </main>
        <footer class="site">
          <div class="wrap">
            <p>
              Redline tracks edits to news articles. Article text is shown as captured from the publisher. <FeedLinks feed={feed} />
            </p>
          </div>
        </footer>
      </body>
    </html>
  )}`;
}
