/** The header's link to the admin pages, for a signed-in admin only (the user from hono's context storage, as src/auth/nav.tsx reads it). */
import { tryGetContext } from "hono/context-storage";
import type { AppEnv } from "../../app-env";
import { ADMIN_PATHS } from "./paths";

export function AdminNavItem() {
  if (!(tryGetContext<AppEnv>()?.var.user?.admin ?? false)) return null;
  return <li><a href={ADMIN_PATHS.index}>Admin</a></li>;
}
