/// <reference types="node" />
/**
 * The noise suite over real pages (../shared/corpus): boilerplate-only edits must leave the
 * extracted article identical, story edits must change it. Skipped when the corpus is absent.
 * The rates over the whole suite are printed at the end.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { decodeBody } from "../fetching/charset";
import type { ArticleContent } from "../model";
import { extractArticle } from "./index";
import { ALL_MUTATIONS, type Mutation } from "./noise/mutations";

const corpus = process.env.REDLINE_CORPUS ?? join(import.meta.dirname, "..", "..", "..", "shared", "corpus");
const WCXB_ARTICLES = 60;
const AEB_PAGES = 40;

interface Page {
  name: string;
  url: string;
  html: string;
}

const read = (path: string): string => {
  const bytes = readFileSync(path);
  return decodeBody(path.endsWith(".gz") ? gunzipSync(bytes) : bytes, null).text;
};

function corpusPages(): Page[] {
  const pages: Page[] = [];
  const sites: [string, string][] = [
    ["sites/yonhap/newspaper4k_yna_co_kr_AEN20190820002300325.html", "https://en.yna.co.kr/view/AEN20190820002300325"],
    ["sites/yonhap/alphaHeavy-goose_yonhapnews1_2017-06-01_AEN20170601002651315.html", "http://english.yonhapnews.co.kr/news/2017/06/01/0200000000AEN20170601002651315.html"],
    ["sites/thestandard/ayltai-hknews_thestandard_details_2020-08-07.html", "https://www.thestandard.com.hk/breaking-news/section/4/152604/Voluntary-virus-tests-for-all-in-two-weeks"],
    ["sites/thestandard/ayltai-hknews-backend_thestandard_details_2018-08-01.html", "http://www.thestandard.com.hk/breaking-news.php?id=111401&sid=4"],
  ];
  for (const [path, url] of sites) {
    if (existsSync(join(corpus, path))) pages.push({ name: path, url, html: read(join(corpus, path)) });
  }
  const wcxb = join(corpus, "wcxb-dev");
  if (existsSync(join(wcxb, "metadata.json"))) {
    const { files } = JSON.parse(readFileSync(join(wcxb, "metadata.json"), "utf8")) as { files: Record<string, { page_type: string }> };
    const ids = Object.keys(files).filter((id) => files[id]?.page_type === "article").sort().slice(0, WCXB_ARTICLES);
    for (const id of ids) {
      const truth = JSON.parse(readFileSync(join(wcxb, "ground-truth", `${id}.json`), "utf8")) as { url: string };
      pages.push({ name: `wcxb ${id}`, url: truth.url, html: read(join(wcxb, "html", `${id}.html.gz`)) });
    }
  }
  const aeb = join(corpus, "aeb");
  if (existsSync(join(aeb, "ground-truth.json"))) {
    const truth = JSON.parse(readFileSync(join(aeb, "ground-truth.json"), "utf8")) as Record<string, { url: string }>;
    for (const id of Object.keys(truth).sort().slice(0, AEB_PAGES)) {
      pages.push({ name: `aeb ${id.slice(0, 12)}`, url: truth[id]?.url ?? "", html: read(join(aeb, "html", `${id}.html.gz`)) });
    }
  }
  return pages;
}

/** What a wrongly (un)changed extraction looks like: the first field or paragraph that differs. */
function describeChange(before: ArticleContent, after: ArticleContent, changed: boolean): string {
  if (!changed) return "extracted article unchanged";
  for (const field of ["title", "byline", "publishedAt", "modifiedAt"] as const) {
    if (before[field] !== after[field]) return `${field} ${JSON.stringify(before[field])} became ${JSON.stringify(after[field])}`;
  }
  const index = before.paragraphs.findIndex((paragraph, position) => paragraph !== after.paragraphs[position]);
  const at = index < 0 ? before.paragraphs.length : index;
  return `paragraph ${at} ${JSON.stringify(before.paragraphs[at]?.slice(0, 80))} became ${JSON.stringify(after.paragraphs[at]?.slice(0, 80))}`;
}

const pages = existsSync(corpus) ? corpusPages() : [];
const tally = new Map<Mutation["kind"], { applied: number; wrong: number }>([
  ["boilerplate", { applied: 0, wrong: 0 }],
  ["story", { applied: 0, wrong: 0 }],
]);

describe.skipIf(pages.length === 0)("noise suite on real pages", () => {
  for (const page of pages) {
    it(page.name, () => {
      const original = extractArticle(page.html, page.url);
      if (!original.ok) return; // nothing extracted, so nothing to track on this page
      const before = JSON.stringify(original.article);
      const wrong: string[] = [];
      for (const mutation of ALL_MUTATIONS) {
        const mutated = mutation.apply(page.html, original.article.paragraphs);
        if (mutated === null) continue;
        const after = extractArticle(mutated, page.url);
        const changed = !after.ok || JSON.stringify(after.article) !== before;
        const counts = tally.get(mutation.kind) ?? { applied: 0, wrong: 0 };
        counts.applied++;
        const isWrong = mutation.kind === "boilerplate" ? changed : !after.ok || !changed;
        if (isWrong) {
          counts.wrong++;
          wrong.push(`${mutation.name}: ${after.ok ? describeChange(original.article, after.article, changed) : after.reason}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  afterAll(() => {
    const rate = ({ applied, wrong }: { applied: number; wrong: number }) =>
      `${wrong}/${applied} (${((wrong / (applied || 1)) * 100).toFixed(1)}%)`;
    console.info(
      `noise suite over ${pages.length} pages: false changes ${rate(tally.get("boilerplate") ?? { applied: 0, wrong: 0 })}, ` +
        `missed changes ${rate(tally.get("story") ?? { applied: 0, wrong: 0 })}`,
    );
  });
});
