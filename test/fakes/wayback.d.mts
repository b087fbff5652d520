/** Types of test/fakes/wayback.mjs, for vitest.config.ts and the tests. */
export const WAYBACK_KEYS: { accessKey: string; secretKey: string };
export function startWaybackFake(options?: { host?: string; port?: number; unref?: boolean }): Promise<{ url: string }>;
