/**
 * Scoring the section-page reader against hand labels (fixtures/link-labels/, described in its
 * README): shared by `npm run measure:links` and the corpus test, so both count the same way.
 */
import { readSectionPage } from "./index";
import { linkProfileFor } from "./profiles";

/** One labelled page: where it is in the corpus, its own URL, and its article links by hand. */
export interface LinkLabels {
  page: string;
  pageUrl: string;
  articles: string[];
  notArticles?: string[];
}

export interface LinkScore {
  /** `generic`, or the link profile's name. */
  rule: string;
  labelled: number;
  found: number;
  truePositives: number;
}

/** The generic rule's score on the page, then its link profile's when its host has one. */
export function scoreLinks(labels: LinkLabels, html: string): LinkScore[] {
  const truth = new Set(labels.articles);
  const profile = linkProfileFor(new URL(labels.pageUrl).hostname);
  const score = (rule: string, found: string[]): LinkScore => ({
    rule,
    labelled: truth.size,
    found: found.length,
    truePositives: found.filter((url) => truth.has(url)).length,
  });
  const urls = (used: typeof profile): string[] => readSectionPage(html, labels.pageUrl, used).map((entry) => entry.url);
  const generic = score("generic", urls(null));
  return profile ? [generic, score(profile.name, urls(profile))] : [generic];
}

/** Scores summed over pages, e.g. every page's generic score. */
export function totalScore(rule: string, scores: readonly LinkScore[]): LinkScore {
  const sum = (key: "labelled" | "found" | "truePositives"): number => scores.reduce((total, score) => total + score[key], 0);
  return { rule, labelled: sum("labelled"), found: sum("found"), truePositives: sum("truePositives") };
}

export const precision = (score: LinkScore): number => (score.found === 0 ? 0 : score.truePositives / score.found);
export const recall = (score: LinkScore): number => (score.labelled === 0 ? 0 : score.truePositives / score.labelled);
