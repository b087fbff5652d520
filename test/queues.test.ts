/** The queue names in src/queues/names.ts are the ones wrangler.toml binds and consumes, with the retry settings the code relies on. */
import { describe, expect, it } from "vitest";
import wrangler from "../wrangler.toml?raw";
import { QUEUES } from "../src/queues/names";

/** The `[[queues.producers]]` and `[[queues.consumers]]` tables of wrangler.toml, key = value lines only. */
function tables(kind: "producers" | "consumers"): Array<Record<string, string>> {
  return wrangler
    .split(/^\[\[/m)
    .filter((block) => block.startsWith(`queues.${kind}]]`))
    .map((block) => Object.fromEntries([...block.matchAll(/^(\w+)\s*=\s*"?([^"\n]*)"?\s*$/gm)].map((m) => [m[1]!, m[2]!])));
}

describe("wrangler.toml", () => {
  it("binds CHECKS and WEBHOOKS to the queues names.ts names", () => {
    expect(tables("producers")).toEqual([
      { binding: "CHECKS", queue: QUEUES.checks },
      { binding: "WEBHOOKS", queue: QUEUES.webhooks },
    ]);
  });

  it("consumes every queue names.ts names, each main queue dead-lettering into its DLQ", () => {
    const consumers = tables("consumers");
    expect(consumers.map((c) => c.queue).sort()).toEqual(Object.values(QUEUES).sort());
    const byName = Object.fromEntries(consumers.map((c) => [c.queue, c]));
    expect(byName[QUEUES.checks]).toMatchObject({ max_batch_size: "10", max_retries: "5", dead_letter_queue: QUEUES.checksDeadLetter });
    expect(byName[QUEUES.webhooks]).toMatchObject({ max_retries: "8", dead_letter_queue: QUEUES.webhooksDeadLetter });
  });
});
