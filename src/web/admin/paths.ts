/** The admin router's paths (src/web/admin/routes.tsx), for the links and forms that reach it. */
export const ADMIN_PATHS = {
  index: "/admin",
  track: "/admin/track",
  newSource: "/admin/sources/new",
} as const;

export const articleActionPath = (articleId: string, action: "untrack" | "resume" | "check"): string => `/admin/articles/${articleId}/${action}`;
export const sourceActionPath = (sourceId: string, action: "pause" | "resume" | "check" | "delete"): string => `/admin/sources/${sourceId}/${action}`;
