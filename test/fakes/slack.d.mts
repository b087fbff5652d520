/** Types of test/fakes/slack.mjs, for vitest.config.ts and the tests. */
export const SLACK_HOOKS: { good: string; archived: string };
export function startSlackFake(options?: { host?: string; port?: number; unref?: boolean }): Promise<{ url: string }>;
