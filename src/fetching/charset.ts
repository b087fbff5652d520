/**
 * Decoding a response body to text the way browsers do: BOM, then the HTTP header's charset,
 * then a `<meta charset>` / `<meta http-equiv>` declaration near the top, then UTF-8; and an XML
 * body the way XML parsers do (the XML declaration in place of the meta tag).
 */

const BOMS: Array<[number[], string]> = [
  [[0xef, 0xbb, 0xbf], "utf-8"],
  [[0xfe, 0xff], "utf-16be"],
  [[0xff, 0xfe], "utf-16le"],
];

/** Browsers look for the meta declaration within the first 1024 bytes; real pages put it later. */
const META_SNIFF_BYTES = 4096;

function charsetFromContentType(contentType: string | null): string | null {
  const match = contentType && /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType);
  return match ? match[1]!.toLowerCase() : null;
}

function charsetFromMeta(bytes: Uint8Array): string | null {
  const head = new TextDecoder("windows-1252").decode(bytes.subarray(0, META_SNIFF_BYTES));
  // Matches both `<meta charset=x>` and `<meta http-equiv content="text/html; charset=x">`.
  const match = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head);
  const label = match ? match[1]!.toLowerCase() : null;
  // A meta tag can only be read if the bytes are ASCII-compatible, so it never means UTF-16.
  return label?.startsWith("utf-16") ? "utf-8" : label;
}

function supported(label: string | null): string | null {
  if (!label) return null;
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return null;
  }
}

function charsetFromBom(bytes: Uint8Array): string | null {
  for (const [signature, encoding] of BOMS) {
    if (signature.every((byte, i) => bytes[i] === byte)) return encoding;
  }
  return null;
}

export function detectCharset(bytes: Uint8Array, contentType: string | null): string {
  return (
    charsetFromBom(bytes) ??
    supported(charsetFromContentType(contentType)) ??
    supported(charsetFromMeta(bytes)) ??
    "utf-8"
  );
}

/** `<?xml version="1.0" encoding="EUC-KR"?>`: only at the very start of the document. */
function charsetFromXmlDeclaration(bytes: Uint8Array): string | null {
  const head = new TextDecoder("windows-1252").decode(bytes.subarray(0, 200));
  const match = /^<\?xml[^>]*?\sencoding\s*=\s*["']([\w.:-]+)["']/.exec(head);
  const label = match ? match[1]!.toLowerCase() : null;
  // Bytes that spell the declaration in ASCII are not UTF-16 (a BOM would have said so).
  return label?.startsWith("utf-16") ? "utf-8" : label;
}

/**
 * An XML body (feeds, sitemaps, OPML) as text, by XML's rules (RFC 7303): BOM, then the HTTP
 * header's charset, then the XML declaration's `encoding`, then UTF-8.
 */
export function decodeXmlBody(bytes: Uint8Array, contentType: string | null): { text: string; charset: string } {
  const charset =
    charsetFromBom(bytes) ??
    supported(charsetFromContentType(contentType)) ??
    supported(charsetFromXmlDeclaration(bytes)) ??
    "utf-8";
  return { text: new TextDecoder(charset).decode(bytes), charset };
}

export function decodeBody(bytes: Uint8Array, contentType: string | null): { text: string; charset: string } {
  const charset = detectCharset(bytes, contentType);
  return { text: new TextDecoder(charset).decode(bytes), charset };
}
