/**
 * Article extraction: one HTML page (already decoded to a string) and its URL in, the story's
 * title, byline, timestamps and paragraphs out. Pure and synchronous; never throws.
 */
import type { ArticleContent, ExtractionResult } from "../model";
import { type TextBlock, collectBlocks } from "./blocks";
import {
  isBoilerplateParagraph,
  isBylineLine,
  isLeadingLabel,
  isNeverText,
  isTrailingSectionHeading,
  isWallParagraph,
  isWallRemainder,
  withoutRelativeTimeLabels,
} from "./boilerplate";
import { findStoryContainers } from "./generic";
import { type PageContext, readByline, readModifiedAt, readPublishedAt, readTitle } from "./fields";
import { type DocumentNode, type ElementNode, parseHtml } from "./html";
import { readMetadata } from "./metadata";
import { GENERIC_PROFILE_NAME, type SiteProfile, profileFor } from "./profiles";
import { createPruning } from "./pruning";
import { compileSelector, selectAll } from "./selector";
import { countWords, normalizeText } from "./text";

export { profileFor, SITE_PROFILES, type SiteProfile } from "./profiles";

/** Fewer words than this is an error page, a consent wall or a teaser, never a story version. */
export const MIN_ARTICLE_WORDS = 40;

const noArticle = (reason: string, profile: string): ExtractionResult => ({
  ok: false,
  reason: `no article found: ${reason}`,
  profile,
});

/** The profile's containers, outermost only (a match inside another match is already read). */
function profileContainers(root: DocumentNode, profile: SiteProfile): ElementNode[] {
  const selected = selectAll(root, profile.body).filter((element) => !isNeverText(element));
  const chosen = new Set(selected);
  return selected.filter((element) => {
    for (let ancestor = element.parent; ancestor; ancestor = ancestor.parent) {
      if (chosen.has(ancestor)) return false;
    }
    return true;
  });
}

interface StoryText {
  paragraphs: string[];
  words: number;
  /** "By …" lines set as paragraphs of their own: left out of the text, offered to the byline. */
  bylineLines: string[];
  /** Words in cookie-consent or paywall notices found where the story should be. */
  wallWords: number;
}

/** Lines that repeat something the page shows elsewhere, and so are not story text. */
interface Repeats {
  title: string;
  /** `alt` texts of the page's images: a caption repeats its image's description. */
  imageDescriptions: ReadonlySet<string>;
}

function imageDescriptions(root: DocumentNode): Set<string> {
  return new Set(
    root
      .elementsByTag("img")
      .map((image) => normalizeText(image.getAttribute("alt") ?? ""))
      .filter(Boolean),
  );
}

/**
 * The story ends at a heading that introduces other stories ("More in Politics", "Latest news",
 * "About the author") once most of its text has been read: templates put such sections right
 * after the story, inside the same container. An early heading of that kind is left alone, as
 * a story may well have a "Related:" line near its top.
 */
const MIN_STORY_SHARE_BEFORE_TRAILING_SECTION = 0.5;

function withoutTrailingSections(story: StoryText, paragraphWords: readonly number[]): StoryText {
  let wordsBefore = 0;
  for (let index = 0; index < story.paragraphs.length; index++) {
    const words = paragraphWords[index] ?? 0;
    if (
      wordsBefore >= story.words * MIN_STORY_SHARE_BEFORE_TRAILING_SECTION &&
      wordsBefore >= MIN_ARTICLE_WORDS &&
      isTrailingSectionHeading(story.paragraphs[index] ?? "", words)
    ) {
      return { ...story, paragraphs: story.paragraphs.slice(0, index), words: wordsBefore };
    }
    wordsBefore += words;
  }
  return story;
}

/**
 * Story paragraphs with furniture lines, repeats of the headline and image descriptions, labels
 * above the story and wall notices removed.
 */
function storyText(blocks: readonly TextBlock[], repeats: Repeats): StoryText {
  const story: StoryText = { paragraphs: [], words: 0, bylineLines: [], wallWords: 0 };
  const paragraphWords: number[] = [];
  for (const block of blocks) {
    const blockWords = countWords(block.text);
    const text = withoutRelativeTimeLabels(block.text, blockWords);
    if (text === "") continue;
    const words = text === block.text ? blockWords : countWords(text);
    if (isWallParagraph(text)) {
      story.wallWords += words;
    } else if (isBylineLine(text, words)) {
      story.bylineLines.push(text);
    } else if (
      text !== repeats.title &&
      !repeats.imageDescriptions.has(text) &&
      !(story.paragraphs.length === 0 && isLeadingLabel(block, words)) &&
      !isBoilerplateParagraph(text, words)
    ) {
      story.paragraphs.push(text);
      paragraphWords.push(words);
      story.words += words;
    }
  }
  return withoutTrailingSections(story, paragraphWords);
}

function extract(html: string, pageUrl: string, profile: SiteProfile | null): ExtractionResult {
  const siteProfileName = profile?.name ?? GENERIC_PROFILE_NAME;
  if (html.trim() === "") return noArticle("empty document", siteProfileName);

  const root = parseHtml(html);
  const { isPruned, measurer } = createPruning(
    root,
    profile?.exclude ? compileSelector(profile.exclude) : null,
  );

  const chosenByProfile = profile ? profileContainers(root, profile) : [];
  const containers =
    chosenByProfile.length > 0 ? chosenByProfile : findStoryContainers(root, isPruned, measurer);
  // A profile whose body selector no longer matches (a redesign) falls back to the generic
  // reader; the profile name says so, because its output may differ from earlier versions.
  const profileName =
    profile && chosenByProfile.length === 0 ? `${profile.name}+${GENERIC_PROFILE_NAME}` : siteProfileName;
  if (containers.length === 0) return noArticle("no text container", profileName);

  const metadata = readMetadata(root);
  const title = readTitle(root, metadata, profile);
  const { paragraphs, words, bylineLines, wallWords } = storyText(collectBlocks(containers, isPruned), {
    title,
    imageDescriptions: imageDescriptions(root),
  });
  if (isWallRemainder(paragraphs, words, wallWords)) {
    return noArticle("the page is a consent or paywall notice", profileName);
  }
  if (words < MIN_ARTICLE_WORDS) {
    return noArticle(`only ${words} words of body text (minimum ${MIN_ARTICLE_WORDS})`, profileName);
  }

  const page: PageContext = { root, metadata, profile, bylineLines };
  const article: ArticleContent = {
    title,
    byline: readByline(page),
    publishedAt: readPublishedAt(page),
    modifiedAt: readModifiedAt(page),
    paragraphs,
  };
  return { ok: true, article, profile: profileName, canonicalUrl: absoluteHttpUrl(metadata.canonicalHref, pageUrl) };
}

/** `href` resolved against the page, if it names an http(s) URL. */
function absoluteHttpUrl(href: string | null, pageUrl: string): string | null {
  if (href === null) return null;
  try {
    const url = new URL(href, pageUrl);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Extracts the story from `html`, using the site profile for `url`'s host when there is one and
 * the generic density-based reader otherwise. Any failure, including an unexpected internal error,
 * comes back as `{ ok: false }` with the reason.
 */
export function extractArticle(html: string, url: string): ExtractionResult {
  const profile = profileFor(url);
  try {
    return extract(typeof html === "string" ? html : "", url, profile);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `extraction failed: ${message}`, profile: profile?.name ?? GENERIC_PROFILE_NAME };
  }
}
