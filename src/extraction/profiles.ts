/**
 * Site profiles: where each monitored site keeps its story, as data. Selectors use the subset in
 * `selector.ts`. Adding a site is adding one entry here (see README.md); pages of any other host
 * go through the generic density-based fallback.
 */

/** Where a site prints a date in visible text, for pages whose markup states it nowhere else. */
export interface VisibleDateRule {
  /** Elements whose text holds the date; the first that yields a date wins. */
  selector: string;
  /**
   * Text that introduces the date inside the element ("Posted on", "Modified on"), for elements
   * printing more than one date. Without it the first date in the element's text is taken.
   */
  label?: string;
}

export interface SiteProfile {
  /** Reported as `profile` in every result. */
  name: string;
  /** Exact host names, lower case; `www.` is not implied. */
  hosts: string[];
  /** The visible headline; without it (or when it matches nothing) metadata gives the title. */
  title?: string;
  /** The visible byline; cleaned of "By", roles and e-mails. */
  byline?: string;
  /** The story containers, read in document order (a standfirst first, then the body). */
  body: string;
  /** Elements inside `body` that are not story text (captions, sign-offs, widgets). */
  exclude?: string;
  published?: VisibleDateRule;
  modified?: VisibleDateRule;
  /** IANA zone of the site's newsroom, for times printed without a zone. */
  timeZone: string;
}

export const SITE_PROFILES: readonly SiteProfile[] = [
  {
    // 2019 template: standfirst in h4.subtitle, story in div.text as <br><br>-separated text with
    // the "By …" line and a contact line at its end; dates only in the visible .date-time line.
    name: "hankyoreh",
    hosts: ["english.hani.co.kr"],
    title: ".article-head .title",
    body: ".article-contents .subtitle, .article-contents .text",
    exclude: ".image-area",
    published: { selector: ".article-head .date-time", label: "Posted on" },
    modified: { selector: ".article-head .date-time", label: "Modified on" },
    timeZone: "Asia/Seoul",
  },
  {
    // en.yna.co.kr (2019–) and the older english.yonhapnews.co.kr template (2017). The "By …"
    // line is the story's first paragraph; the reporter's e-mail and "(END)" close it.
    name: "yonhap",
    hosts: ["en.yna.co.kr", "m-en.yna.co.kr", "english.yonhapnews.co.kr"],
    title: ".title-article01 h1, .article_wrap h1",
    body: "article.story-news, .article_wrap .article",
    exclude: ".comp-box, .ctsimg, .innercptn",
    published: { selector: ".title-article01 .info-con, .article_wrap .publish-time" },
    timeZone: "Asia/Seoul",
  },
  {
    // News-library pages in the old table layout: the story is td.content, headed by the <h1>,
    // a source line in bold and a date line with no zone (the site runs on UTC).
    name: "globalsecurity",
    hosts: ["www.globalsecurity.org", "globalsecurity.org"],
    title: "td.content h1",
    body: "td.content",
    published: { selector: "td.content p" },
    timeZone: "UTC",
  },
  {
    // 2018–2020 templates: the date follows the section link in .heading .pull-left; a photo
    // carousel opens .content.
    name: "thestandard",
    hosts: ["www.thestandard.com.hk", "thestandard.com.hk"],
    title: ".ts-main .heading h1",
    body: ".ts-main .content",
    exclude: ".carousel, .carousel-wrap",
    published: { selector: ".ts-main .heading .pull-left" },
    timeZone: "Asia/Hong_Kong",
  },
];

/** Name reported for pages read without a site profile. */
export const GENERIC_PROFILE_NAME = "generic";

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** The profile for a page URL, or null when the generic fallback applies. */
export function profileFor(url: string): SiteProfile | null {
  const host = hostOf(url);
  if (!host) return null;
  return SITE_PROFILES.find((profile) => profile.hosts.includes(host)) ?? null;
}
