/**
 * The header's sign-in state: "Sign in", or "Signed in as X · Account · Sign out". It reads the
 * request's user from hono's context storage (set up in src/app.ts), so no page has to pass it.
 */
import { tryGetContext } from "hono/context-storage";
import type { AppEnv } from "../app-env";

export function AccountNav() {
  const context = tryGetContext<AppEnv>();
  const user = context?.var.user ?? null;
  if (user === null) {
    const here = context ? new URL(context.req.url) : null;
    const next = here && here.pathname !== "/sign-in" ? `?next=${encodeURIComponent(here.pathname + here.search)}` : "";
    return (
      <nav aria-label="Account" class="account">
        <a href={`/sign-in${next}`}>Sign in</a>
      </nav>
    );
  }
  return (
    <nav aria-label="Account" class="account">
      <ul>
        <li>Signed in as <strong>{user.name}</strong></li>
        <li><a href="/account">Account</a></li>
        <li>
          <form method="post" action="/sign-out">
            <button type="submit">Sign out</button>
          </form>
        </li>
      </ul>
    </nav>
  );
}
