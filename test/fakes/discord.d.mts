/** Types of test/fakes/discord.mjs, for vitest.config.ts and the tests. */
export const DISCORD_WEBHOOK: { id: string; token: string };
export function startDiscordFake(options?: { host?: string; port?: number; unref?: boolean }): Promise<{ url: string }>;
