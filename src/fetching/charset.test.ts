import { describe, expect, it } from "vitest";
import { decodeBody, decodeXmlBody, detectCharset } from "./charset";

const ascii = (text: string) => new TextEncoder().encode(text);
// "가나" in EUC-KR.
const eucKrWord = [0xb0, 0xa1, 0xb3, 0xaa];

function bytes(prefix: string, raw: number[], suffix = ""): Uint8Array {
  return new Uint8Array([...ascii(prefix), ...raw, ...ascii(suffix)]);
}

describe("charset detection", () => {
  it("prefers a byte order mark", () => {
    expect(detectCharset(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]), "text/html; charset=euc-kr")).toBe("utf-8");
  });

  it("takes the HTTP header next", () => {
    const body = bytes("<p>", eucKrWord, "</p>");
    expect(decodeBody(body, "text/html; charset=EUC-KR")).toEqual({ text: "<p>가나</p>", charset: "euc-kr" });
  });

  it("reads <meta charset> and <meta http-equiv> when the header has none", () => {
    expect(decodeBody(bytes('<meta charset="euc-kr"><p>', eucKrWord), "text/html").text).toBe('<meta charset="euc-kr"><p>가나');
    const httpEquiv = '<meta http-equiv="Content-Type" content="text/html; charset=ks_c_5601-1987"><p>';
    expect(decodeBody(bytes(httpEquiv, eucKrWord), null).charset).toBe("euc-kr");
  });

  it("falls back to UTF-8 for unknown or missing labels", () => {
    expect(detectCharset(ascii("<p>x</p>"), "text/html; charset=no-such-charset")).toBe("utf-8");
    expect(detectCharset(ascii('<meta charset="utf-16">'), null)).toBe("utf-8");
  });

  it("reads an XML body's charset from its declaration, after the BOM and the HTTP header", () => {
    const declared = bytes('<?xml version="1.0" encoding="EUC-KR"?><t>', eucKrWord, "</t>");
    expect(decodeXmlBody(declared, "application/rss+xml")).toEqual({ text: '<?xml version="1.0" encoding="EUC-KR"?><t>가나</t>', charset: "euc-kr" });
    expect(decodeXmlBody(declared, "text/xml; charset=utf-8").charset).toBe("utf-8");
    expect(decodeXmlBody(new Uint8Array([0xef, 0xbb, 0xbf, ...declared]), null).charset).toBe("utf-8");
    expect(decodeXmlBody(bytes('<meta charset="euc-kr"><t>', eucKrWord), null).charset).toBe("utf-8");
  });
});
