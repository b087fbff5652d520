/** Types of test/fakes/bluesky.mjs, for vitest.config.ts and the tests. */
export const BLUESKY_ACCOUNT: { handle: string; did: string; appPassword: string };
export function startBlueskyFake(options?: { host?: string; port?: number; unref?: boolean }): Promise<{ url: string }>;
