/**
 * Finding the story on a page no profile describes, by text density in the manner of
 * Readability: every paragraph of real prose credits its container (fully) and the next two
 * ancestors (less), so the element directly wrapping most of the prose wins. Names such as
 * `article-body` raise a candidate, boilerplate names (`related`, `sidebar`, …) lower it, and the
 * final score shrinks with link density, which sinks menus and link lists.
 */
import { collectBlocks } from "./blocks";
import { hasBoilerplateName, nameWords } from "./boilerplate";
import { type DocumentNode, type ElementNode, isAncestor } from "./html";
import { Vocabulary } from "./vocabulary";
import type { TextMeasurer } from "./measure";

/** Shorter blocks (labels, buttons, one-word links) say nothing about where the story is. */
const MIN_SCORED_BLOCK_CHARS = 25;
/** How far up a paragraph's credit travels, with the divisor applied at each level. */
const ANCESTOR_DIVISORS = [1, 2, 6] as const;
const NAME_WEIGHT = 25;
const POSITIVE_NAME_WORDS = new Vocabulary([
  "article", "body", "content", "entry", "main", "post", "story", "text", "news", "view",
]);
/** Elements that are themselves paragraphs credit their parent, not themselves. */
const PARAGRAPH_TAGS = new Set(["p", "pre", "td", "li", "blockquote", "dd", "h2", "h3", "h4", "h5", "h6"]);
const TAG_WEIGHTS: Readonly<Record<string, number>> = {
  div: 5, article: 5, section: 3, main: 3, pre: 3, td: 3, blockquote: 3,
  ol: -3, ul: -3, dl: -3, dd: -3, dt: -3, li: -3, form: -3, address: -3, th: -5,
};
/** Readability's numbers for promoting a common ancestor of several strong candidates. */
const RIVALS_CONSIDERED = 5;
const RIVAL_SHARE_OF_TOP = 0.75;
const MIN_RIVALS_SHARING_ANCESTOR = 3;
/** A sibling joins the winner when it scores at least this share of the winner's score… */
const SIBLING_SHARE_OF_TOP = 0.2;
const SIBLING_MIN_SCORE = 10;
/**
 * Prose: paragraphs at least this long, in elements at most this link-dense. A sibling paragraph
 * of prose joins the winner (Readability's rule for split story bodies), and how much prose an
 * ancestor holds decides whether the winner is the whole story or one section of it.
 */
const PROSE_MIN_CHARS = 80;
const PROSE_MAX_LINK_DENSITY = 0.25;

function nameWeight(element: ElementNode): number {
  let weight = 0;
  if (nameWords(element, POSITIVE_NAME_WORDS).some((word) => word !== undefined)) weight += NAME_WEIGHT;
  if (hasBoilerplateName(element)) weight -= NAME_WEIGHT;
  return weight;
}

/**
 * A story split into sections (listicles, sectioned guides) makes each section a strong candidate.
 * When enough of the best rivals sit under one ancestor of the winner, that ancestor is the story.
 */
function commonStoryAncestor(
  winner: ElementNode,
  winnerScore: number,
  runnersUp: readonly (readonly [ElementNode, number])[],
  root: ElementNode,
): ElementNode | null {
  const rivals = runnersUp
    .filter(([, score]) => score >= winnerScore * RIVAL_SHARE_OF_TOP)
    .map(([element]) => element);
  if (rivals.length < MIN_RIVALS_SHARING_ANCESTOR) return null;
  for (let ancestor = winner.parent; ancestor && ancestor !== root; ancestor = ancestor.parent) {
    const sharing = rivals.filter((rival) => isAncestor(ancestor, rival)).length;
    if (sharing >= MIN_RIVALS_SHARING_ANCESTOR) return ancestor;
  }
  return null;
}

/**
 * The winner widens to an ancestor holding this much more prose (as a factor, and at least the
 * absolute amount), provided the ancestor is prose itself, not a link farm: sectioned guides,
 * listicles and reviews put each section in its own container, and scores pick one of them.
 */
const WIDEN_MIN_PROSE_FACTOR = 1.5;
const WIDEN_MIN_PROSE_GAIN = 300;
/** How far above a paragraph a list item makes it a teaser rather than prose. */
const TEASER_LIST_ITEM_DEPTH = 4;

/** Teaser lists ("More in …", "Related") set each excerpt in a list item; they are not story sections. */
function isInListItem(element: ElementNode): boolean {
  let holder: ElementNode | null = element;
  for (let level = 0; holder && level < TEASER_LIST_ITEM_DEPTH; level++, holder = holder.parent) {
    if (holder.tag === "li") return true;
  }
  return false;
}

function widenedToWholeStory(
  winner: ElementNode,
  body: ElementNode,
  prose: ReadonlyMap<ElementNode, number>,
  measurer: TextMeasurer,
): ElementNode {
  let story = winner;
  for (let ancestor = winner.parent; ancestor && ancestor !== body; ancestor = ancestor.parent) {
    const storyProse = prose.get(story) ?? 0;
    const ancestorProse = prose.get(ancestor) ?? 0;
    if (
      ancestorProse >= storyProse * WIDEN_MIN_PROSE_FACTOR &&
      ancestorProse - storyProse >= WIDEN_MIN_PROSE_GAIN &&
      measurer.linkDensity(ancestor) <= PROSE_MAX_LINK_DENSITY
    ) {
      story = ancestor;
    }
  }
  return story;
}

function blockPoints(text: string): number {
  const commas = text.match(/[,，、]/g)?.length ?? 0;
  return 1 + commas + Math.min(Math.floor(text.length / 100), 3);
}

/**
 * The element(s) holding the story, in document order: the best-scoring container plus any
 * siblings that look like further parts of the same story. Empty when the page has no prose.
 */
export function findStoryContainers(
  root: DocumentNode,
  isPruned: (element: ElementNode) => boolean,
  measurer: TextMeasurer,
): ElementNode[] {
  const body = root.elementsByTag("body")[0] ?? root;
  const rawScores = new Map<ElementNode, number>();
  const prose = new Map<ElementNode, number>();
  for (const block of collectBlocks([body], isPruned)) {
    if (block.text.length < MIN_SCORED_BLOCK_CHARS) continue;
    if (block.text.length >= PROSE_MIN_CHARS && !isInListItem(block.owner)) {
      for (let holder: ElementNode | null = block.owner; holder && holder !== root; holder = holder.parent) {
        prose.set(holder, (prose.get(holder) ?? 0) + block.text.length);
      }
    }
    const points = blockPoints(block.text);
    let ancestor: ElementNode | null = PARAGRAPH_TAGS.has(block.owner.tag)
      ? block.owner.parent
      : block.owner;
    for (const divisor of ANCESTOR_DIVISORS) {
      if (!ancestor || ancestor === root) break;
      rawScores.set(ancestor, (rawScores.get(ancestor) ?? 0) + points / divisor);
      ancestor = ancestor.parent;
    }
  }

  const finalScores = new Map<ElementNode, number>();
  for (const [candidate, raw] of rawScores) {
    const base = raw + (TAG_WEIGHTS[candidate.tag] ?? 0) + nameWeight(candidate);
    finalScores.set(candidate, base * (1 - measurer.linkDensity(candidate)));
  }
  const ranked = [...finalScores].filter(([, score]) => score > 0).sort((a, b) => b[1] - a[1]);
  const [winner, ...runnersUp] = ranked;
  if (!winner) return [];
  const [best, topScore] = winner;
  const top = widenedToWholeStory(
    commonStoryAncestor(best, topScore, runnersUp.slice(0, RIVALS_CONSIDERED - 1), root) ?? best,
    body,
    prose,
    measurer,
  );

  const parent = top.parent;
  if (!parent || top === body) return [top];
  const siblingThreshold = Math.max(SIBLING_MIN_SCORE, topScore * SIBLING_SHARE_OF_TOP);
  return parent.children.filter((sibling): sibling is ElementNode => {
    if (sibling.kind !== "element") return false;
    if (sibling === top) return true;
    if (isPruned(sibling)) return false;
    if ((finalScores.get(sibling) ?? 0) >= siblingThreshold) return true;
    return (
      sibling.tag === "p" &&
      measurer.textLength(sibling) >= PROSE_MIN_CHARS &&
      measurer.linkDensity(sibling) <= PROSE_MAX_LINK_DENSITY
    );
  });
}
