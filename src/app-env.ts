/**
 * The hono environment every router shares: the Worker's bindings, and the variables the
 * middleware in src/app.ts sets once per request before any route runs. Handlers read
 * `c.var.tracker` (and `c.var.tracker.store`); none builds its own.
 */
import type { Context } from "hono";
import type { Env } from "./env";
import type { User } from "./auth/user";
import type { Tracker } from "./tracking/check";

export type AppEnv = {
  Bindings: Env;
  Variables: {
    /** The store, fetch options, politeness and webhook announcer of this request (`trackerFor(c.env)`). */
    tracker: Tracker;
    /** Who sent the request (bearer admin token, session cookie or Cloudflare Access), or null: set by `identify` (src/auth/middleware.ts). */
    user: User | null;
  };
};

export type AppContext = Context<AppEnv>;
