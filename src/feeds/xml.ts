/**
 * Characters XML 1.0 forbids outright (C0 controls other than tab, newline and carriage return,
 * lone surrogates, U+FFFE/U+FFFF). Article text can carry them; a feed reader rejects the whole
 * document over one, so they are dropped rather than escaped (they cannot be escaped in XML 1.0).
 */
const ILLEGAL_IN_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Text safe inside an XML element or attribute, `]]>` included (its `>` is escaped). */
export function xmlText(text: string): string {
  return stripIllegalXmlCharacters(text).replace(/[&<>"']/g, (character) => XML_ESCAPES[character]!);
}

export function stripIllegalXmlCharacters(text: string): string {
  return text.replace(ILLEGAL_IN_XML, "");
}
