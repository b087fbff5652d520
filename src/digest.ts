/** Bytes as lower-case hex, two digits each. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function sha256(data: string | Uint8Array): Promise<Uint8Array> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/** SHA-256 as lower-case hex, of text (UTF-8) or bytes: the one digest every module uses. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  return toHex(await sha256(data));
}

/** The same digest in standard base64, where a header wants that form (CSP hash sources). */
export async function sha256Base64(data: string | Uint8Array): Promise<string> {
  return btoa(String.fromCharCode(...(await sha256(data))));
}
