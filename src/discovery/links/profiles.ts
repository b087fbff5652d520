/**
 * Link profiles: which links of a site's section and home pages are its articles, as data.
 * Like the extraction profiles (src/extraction/profiles.ts), adding a site is adding one entry;
 * pages of any other host go through the generic rule in `generic.ts`. Selectors use the subset
 * in src/extraction/selector.ts.
 */

export interface LinkProfile {
  /** Reported by `linkProfileFor`; the measurement script prints it. */
  name: string;
  /** Exact host names of the section pages it reads, lower case; `www.` is not implied. */
  hosts: string[];
  /**
   * An article's address on this site, tested on the link's path and query (`/view/AEN…`,
   * `/breaking-news.php?id=…`). Links of the same site that do not match are not articles.
   */
  article: RegExp;
  /** The listing's containers; links outside them are not read. Without it the whole page is. */
  container?: string;
  /** Boxes inside the listing that are not it (an ad carousel, a video panel). */
  exclude?: string;
}

export const LINK_PROFILES: readonly LinkProfile[] = [
  {
    // /arti/english_edition/e_national/917233.html: the section, then the story's number.
    name: "hankyoreh",
    hosts: ["english.hani.co.kr"],
    article: /^\/arti\/english_edition\/[a-z_]+\/\d+\.html$/,
  },
  {
    // /view/AEN20191119003900325 (2019–); the older english.yonhapnews.co.kr put the same id
    // under a dated path: /news/2017/06/01/0200000000AEN20170601002651315.html.
    name: "yonhap",
    hosts: ["en.yna.co.kr", "m-en.yna.co.kr", "english.yonhapnews.co.kr"],
    article: /^\/(?:view\/AEN\d{8,}|news\/\d{4}\/\d{2}\/\d{2}\/\d*AEN\d{8,}\.html)$/,
  },
  {
    // News library: /military/library/news/2019/11/mil-191119-yonhap01.htm (also .html, and
    // other wires than Yonhap: mil-191119-afps02, mil-191119-voa01). The old table layout keeps
    // the listing in td.content, as it keeps a story (the extraction profile's body), and a
    // "Most Read" table in the right-hand column.
    name: "globalsecurity",
    hosts: ["www.globalsecurity.org", "globalsecurity.org"],
    article: /^\/military\/library\/news\/\d{4}\/\d{2}\/mil-\d{6}-[\w-]+\.html?$/,
    container: "td.content",
  },
  {
    // 2020 template: /breaking-news/section/4/152604/<slug> and /section-news/section/4/221674/<slug>
    // (the section's number, then the story's); 2018 template: /breaking-news.php?id=111401&sid=4.
    // The section list interleaves print-ad carousels (.carousel-wrap) and a video panel
    // (.sidebar-video) between the stories, each inside its own .ts-right-bar.
    name: "thestandard",
    hosts: ["www.thestandard.com.hk", "thestandard.com.hk"],
    article: /^\/(?:[a-z-]+\/section\/\d+\/\d{5,}\/[^/]+|[a-z-]+\.php\?(?:[^#]*&)?id=\d{5,}(?:&[^#]*)?)$/,
    exclude: ".ts-right-bar",
  },
];

export function linkProfileFor(host: string): LinkProfile | null {
  const lower = host.toLowerCase();
  return LINK_PROFILES.find((profile) => profile.hosts.includes(lower)) ?? null;
}
