import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { problem } from "./problem";

async function sameSecret(given: string, expected: string): Promise<boolean> {
  // Comparing digests keeps the comparison time independent of where the strings differ.
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** Every write requires `Authorization: Bearer <ADMIN_TOKEN>`. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) throw problem(503, "Writes are disabled: the ADMIN_TOKEN secret is not configured on this Worker.");
  const header = c.req.header("Authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  const challenge = { "WWW-Authenticate": 'Bearer realm="redline"' };
  if (!match) throw problem(401, "This endpoint needs `Authorization: Bearer <ADMIN_TOKEN>`.", challenge);
  if (!(await sameSecret(match[1]!.trim(), expected))) throw problem(401, "The bearer token is not the admin token.", challenge);
  await next();
});
