/** Types of test/fakes/mastodon.mjs, for vitest.config.ts and the tests. */
export const MASTODON_TOKENS: { good: string; statusesOnly: string };
export function startMastodonFake(options?: { host?: string; port?: number; unref?: boolean }): Promise<{ url: string }>;
