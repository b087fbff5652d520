/** Types of test/websub-hub.mjs, for vitest.config.ts. */
export function startWebSubHub(options?: { host?: string; port?: number; unref?: boolean }): Promise<{ url: string }>;
