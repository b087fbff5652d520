/**
 * Ad-hoc fixture answers for tests of sources (feeds, sitemaps, OPML-listed URLs) that the replay
 * origin's timeline does not hold. The worker asks the replay origin for every URL
 * (`${REPLAY_ORIGIN}/fetch?url=…`, REPLAY_ORIGIN); this spy on `fetch` answers those requests
 * for the URLs a test serves and passes every other request on to the replay origin, so nothing
 * leaves loopback.
 */
import { env } from "cloudflare:workers";
import { vi } from "vitest";

export type AdHocAnswer = (request: Request) => Response | Promise<Response>;

export interface AdHocOrigin {
  /** Serves `url` (the site URL, not the replay address) with `answer`, until replaced or restored. */
  serve(url: string, answer: AdHocAnswer): void;
  /** Site URLs requested through the spy, in order, served or not; robots.txt is left out (`robotsFetches()` counts it). */
  requested: string[];
}

/** A 200 with `body` and `contentType`, and the validators a conditional GET needs. */
export function answerWith(body: string, contentType: string, headers: Record<string, string> = {}): AdHocAnswer {
  return () => new Response(body, { status: 200, headers: { "Content-Type": contentType, ...headers } });
}

/** Installs the spy; undo with `vi.restoreAllMocks()`. */
export function adHocOrigin(): AdHocOrigin {
  const answers = new Map<string, AdHocAnswer>();
  const requested: string[] = [];
  const realFetch = globalThis.fetch;
  const prefix = `${env.REPLAY_ORIGIN}/fetch?url=`;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith(prefix)) return realFetch(input, init);
    const site = decodeURIComponent(request.url.slice(prefix.length));
    if (new URL(site).pathname !== "/robots.txt") requested.push(site);
    const answer = answers.get(site);
    return answer ? answer(request) : realFetch(input, init);
  });
  return { serve: (url, answer) => answers.set(url, answer), requested };
}
