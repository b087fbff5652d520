/**
 * Response headers that keep article text inert in a browser. Article text is the publisher's,
 * hostile markup included, and every renderer prints it escaped; the Content-Security-Policy
 * makes that a rule for the browser too, so a slip in escaping could neither run script nor load
 * anything, and `nosniff` keeps a browser from reading plain text as HTML.
 */
import { sha256Base64 } from "./digest";

const policy = (styleSource: string): string =>
  `default-src 'none'; style-src ${styleSource}; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

/** For every HTML or plain-text rendering whose styles, if any, come from the Worker's own stylesheet. */
export const RENDERING_HEADERS = {
  "Content-Security-Policy": policy("'self'"),
  "X-Content-Type-Options": "nosniff",
} as const;

/**
 * For a self-contained HTML rendering whose only style is the inline `<style>` element holding
 * `style`: the policy names that element by its digest, so no other inline style applies.
 */
export async function selfContainedRenderingHeaders(style: string): Promise<Record<string, string>> {
  return { ...RENDERING_HEADERS, "Content-Security-Policy": policy(`'sha256-${await sha256Base64(style)}'`) };
}

/**
 * For a capture served as the publisher served it, on Redline's origin: sandboxed, so its
 * scripts never run here, and kept to its declared type.
 */
export const RAW_CAPTURE_HEADERS = {
  "Content-Security-Policy": "sandbox",
  "X-Content-Type-Options": "nosniff",
} as const;
