/**
 * Golden diffs of the seed articles' timelines (fixtures/timeline.json): every edit the
 * fixtures replay, with the kinds, summary and significance a reader sees in the feed.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { reset, SEED_URLS, walkTimeline } from "./helpers";

const STEALTH = "Text changed without a new modified timestamp (stealth edit)";

const GOLDEN: Record<keyof typeof SEED_URLS, Array<{ k: number; kinds: string[]; summary: string; significance: number }>> = {
  hankyoreh3rdRound: [
    { k: 2, kinds: ["modified-date", "timestamp-only"], summary: "Only the modified timestamp moved", significance: 0.02 },
    { k: 3, kinds: ["title", "modified-date"], summary: "Headline rewritten; modified timestamp moved", significance: 0.46 },
    { k: 4, kinds: ["modified-date", "timestamp-only"], summary: "Only the modified timestamp moved", significance: 0.02 },
  ],
  hankyoreh1stRound: [
    { k: 2, kinds: ["modified-date", "body"], summary: "1 paragraph added; +42/−0 words; modified timestamp moved", significance: 0.28 },
  ],
  yonhap: [
    {
      k: 2,
      kinds: ["body", "numbers-changed", "stealth-edit"],
      summary: `${STEALTH}: 1 sentence edited (figures changed); +1/−1 words`,
      significance: 0.47,
    },
  ],
  globalSecurity: [
    { k: 2, kinds: ["body", "stealth-edit"], summary: `${STEALTH}: 1 paragraph removed; +0/−21 words`, significance: 0.17 },
    { k: 3, kinds: ["final-url"], summary: "Final URL changed; text unchanged", significance: 0.1 },
  ],
  theStandard: [
    { k: 3, kinds: ["removed"], summary: "Page gone (HTTP 404)", significance: 0.9 },
    { k: 4, kinds: ["restored"], summary: "Page back", significance: 0.5 },
  ],
};

beforeEach(async () => {
  await reset();
});

describe("seed timelines", () => {
  it.each(Object.keys(SEED_URLS) as Array<keyof typeof SEED_URLS>)("%s", async (name) => {
    const { steps } = await walkTimeline(SEED_URLS[name]);
    const changes = steps.filter((step) => step.changed).map(({ k, kinds, summary, significance }) => ({ k, kinds, summary, significance }));
    expect(changes).toEqual(GOLDEN[name]);
  });
});
