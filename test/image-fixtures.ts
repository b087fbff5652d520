/**
 * Diff documents of the seed edits, built from the fixtures' expected extractions with the real
 * diff (no store): what the redline image and its alt text are drawn from. Imports nothing of the
 * test pool, so scripts/bench-image.mjs renders the same documents.
 */
import timeline from "../fixtures/timeline.json";
import hani917772v2 from "../fixtures/sites/english.hani.co.kr/917772/v2.expected.json";
import hani917772v3 from "../fixtures/sites/english.hani.co.kr/917772/v3.expected.json";
import hani911048v1 from "../fixtures/sites/english.hani.co.kr/911048/v1.expected.json";
import hani911048v2 from "../fixtures/sites/english.hani.co.kr/911048/v2.expected.json";
import yonhapV1 from "../fixtures/sites/en.yna.co.kr/AEN20191218010400325/v1.expected.json";
import yonhapV2 from "../fixtures/sites/en.yna.co.kr/AEN20191218010400325/v2.expected.json";
import presstvV1 from "../fixtures/sites/www.globalsecurity.org/mil-191119-presstv01/v1.expected.json";
import presstvV2 from "../fixtures/sites/www.globalsecurity.org/mil-191119-presstv01/v2.expected.json";
import koreanPage from "../fixtures/sites/fixtures.redline.test/charset/euc-kr-meta.expected.json";
import { diffVersions } from "../src/diffing";
import type { DiffDocument } from "../src/diffing/render";
import type { ArticleContent } from "../src/model";

interface TimelineEntry {
  url: string;
  versions: Array<{ at: string; expected?: string }>;
}

/** The seed article whose timeline serves `sites/<directory>/v<n>.expected.json`, with its capture times. */
function timelineOf(directory: string): TimelineEntry {
  const entries = (timeline as { articles: TimelineEntry[] }).articles;
  return entries.find((entry) => entry.versions.some((version) => version.expected?.startsWith(`sites/${directory}/`)))!;
}

function seedDocument(directory: string, [from, to]: [number, number], before: ArticleContent, after: ArticleContent): DiffDocument {
  const { url, versions } = timelineOf(directory);
  return {
    articleUrl: url,
    from: { n: from, capturedAt: versions[from - 1]!.at, title: before.title },
    to: { n: to, capturedAt: versions[to - 1]!.at, title: after.title },
    diff: diffVersions(before, after),
  };
}

/** The seed edits that change text: a stealth edit, a headline rewrite, an added and a removed paragraph. */
export const SEED_EDITS = {
  yonhap: seedDocument("en.yna.co.kr/AEN20191218010400325", [1, 2], yonhapV1, yonhapV2),
  hankyoreh3rdRound: seedDocument("english.hani.co.kr/917772", [2, 3], hani917772v2, hani917772v3),
  hankyoreh1stRound: seedDocument("english.hani.co.kr/911048", [1, 2], hani911048v1, hani911048v2),
  globalSecurity: seedDocument("www.globalsecurity.org/mil-191119-presstv01", [1, 2], presstvV1, presstvV2),
} as const;

/** The Korean fixture page (The Hankyoreh's Korean report of the same talks). */
export const KOREAN_URL = "https://fixtures.redline.test/charset/euc-kr-meta.html";
export const KOREAN_PAGE: ArticleContent = koreanPage;

/** The edit a Korean desk might make: the demand's figure corrected, and a sentence added. */
export const KOREAN_EDIT = { from: "50억달러 안팎을", to: "47억달러를", added: " 외교부는 다음 협상 일정을 미국 쪽과 협의하고 있다고 밝혔다." } as const;

export function editedKoreanPage(page: ArticleContent = KOREAN_PAGE): ArticleContent {
  const last = page.paragraphs.length - 1;
  return {
    ...page,
    paragraphs: page.paragraphs.map((text, index) => (index === last ? text.replace(KOREAN_EDIT.from, KOREAN_EDIT.to) + KOREAN_EDIT.added : text)),
  };
}

export const KOREAN_DOCUMENT: DiffDocument = {
  articleUrl: KOREAN_URL,
  from: { n: 1, capturedAt: "2019-11-19T10:10:00Z", title: KOREAN_PAGE.title },
  to: { n: 2, capturedAt: "2019-11-19T12:40:00Z", title: KOREAN_PAGE.title },
  diff: diffVersions(KOREAN_PAGE, editedKoreanPage()),
};
