import { describe, expect, it } from "vitest";
import { closestMemento, compactDatetime, httpDate, jsonTimeMap, linkFormatTimeMap, mementosOf, mementoUris, parseCompactDatetime, parseHttpDate } from "./memento";

const at = (iso: string) => Date.parse(iso);

describe("memento datetimes", () => {
  it("writes and reads the 14-digit form, with shorter prefixes meaning the earliest instant", () => {
    expect(compactDatetime(at("2019-11-20T08:44:07.900Z"))).toBe("20191120084407");
    expect(parseCompactDatetime("20191120084407")).toBe(at("2019-11-20T08:44:07Z"));
    expect(parseCompactDatetime("201911")).toBe(at("2019-11-01T00:00:00Z"));
    expect(parseCompactDatetime("2019")).toBe(at("2019-01-01T00:00:00Z"));
    expect(parseCompactDatetime("20191399000000")).toBeNull();
    expect(parseCompactDatetime("20191")).toBeNull();
  });

  it("accepts only RFC 1123 dates in Accept-Datetime", () => {
    expect(httpDate(at("2019-11-19T08:44:00Z"))).toBe("Tue, 19 Nov 2019 08:44:00 GMT");
    expect(parseHttpDate("Tue, 19 Nov 2019 08:44:00 GMT")).toBe(at("2019-11-19T08:44:00Z"));
    expect(parseHttpDate("2019-11-19T08:44:00Z")).toBeNull();
    expect(parseHttpDate("yesterday")).toBeNull();
  });
});

describe("mementos of a version list", () => {
  const versions = [
    { n: 1, capturedAt: "2019-11-19T08:00:00.100Z", contentHash: "a", title: "", modifiedAt: null },
    { n: 2, capturedAt: "2019-11-19T08:00:00.900Z", contentHash: "b", title: "", modifiedAt: null },
    { n: 3, capturedAt: "2019-11-20T08:00:00.000Z", contentHash: "c", title: "", modifiedAt: null },
  ];

  it("keeps one memento per second, the later version winning", () => {
    expect(mementosOf(versions)).toEqual([
      { n: 2, atMs: at("2019-11-19T08:00:00Z") },
      { n: 3, atMs: at("2019-11-20T08:00:00Z") },
    ]);
  });

  it("chooses the closest memento, the earlier on a tie", () => {
    const mementos = mementosOf(versions);
    expect(closestMemento(mementos, at("2001-01-01T00:00:00Z"))?.n).toBe(2);
    expect(closestMemento(mementos, at("2019-11-19T20:00:00Z"))?.n).toBe(2);
    expect(closestMemento(mementos, at("2019-11-19T20:00:01Z"))?.n).toBe(3);
    expect(closestMemento([], 0)).toBeNull();
  });
});

describe("alternate mementos in the TimeMap", () => {
  const original = "https://en.yna.co.kr/view/AEN20191119004552325";
  const uris = mementoUris("https://redline.test", original);
  const own = [
    { n: 1, atMs: at("2019-11-19T08:00:00Z") },
    { n: 2, atMs: at("2019-11-20T08:00:00Z") },
  ];
  const wayback = (stamp: string) => `https://web.archive.org/web/${stamp}/${original}`;
  // The capture of version 2 was reported for two versions (SPN2 answered with one capture twice).
  const alternates = [
    { n: 1, uri: wayback("20191119080312"), atMs: at("2019-11-19T08:03:12.000Z") },
    { n: 2, uri: wayback("20191120080240"), atMs: at("2019-11-20T08:02:40.000Z") },
    { n: 3, uri: wayback("20191120080240"), atMs: at("2019-11-20T08:02:40.000Z") },
  ];

  it("lists each alternate once, in datetime order, with first, last and the self link's range still Redline's own", () => {
    expect(linkFormatTimeMap(uris, own, alternates).split(",\n")).toEqual([
      `<${original}>; rel="original"`,
      `<https://redline.test/timemap/link/${original}>; rel="self"; type="application/link-format"; from="Tue, 19 Nov 2019 08:00:00 GMT"; until="Wed, 20 Nov 2019 08:00:00 GMT"`,
      `<https://redline.test/timegate/${original}>; rel="timegate"`,
      `<https://redline.test/memento/20191119080000/${original}>; rel="first memento"; datetime="Tue, 19 Nov 2019 08:00:00 GMT"`,
      `<${wayback("20191119080312")}>; rel="memento"; datetime="Tue, 19 Nov 2019 08:03:12 GMT"`,
      `<https://redline.test/memento/20191120080000/${original}>; rel="last memento"; datetime="Wed, 20 Nov 2019 08:00:00 GMT"`,
      `<${wayback("20191120080240")}>; rel="memento"; datetime="Wed, 20 Nov 2019 08:02:40 GMT"\n`,
    ]);
  });

  it("puts the alternates in the JSON list with their archive, first and last staying Redline's", () => {
    const timemap = jsonTimeMap(uris, own, alternates);
    expect(timemap.mementos.first.uri).toBe(`https://redline.test/memento/20191119080000/${original}`);
    expect(timemap.mementos.last.uri).toBe(`https://redline.test/memento/20191120080000/${original}`);
    expect(timemap.mementos.list).toEqual([
      { datetime: "2019-11-19T08:00:00.000Z", uri: `https://redline.test/memento/20191119080000/${original}`, version: 1 },
      { datetime: "2019-11-19T08:03:12.000Z", uri: wayback("20191119080312"), version: 1, archive: "web.archive.org" },
      { datetime: "2019-11-20T08:00:00.000Z", uri: `https://redline.test/memento/20191120080000/${original}`, version: 2 },
      { datetime: "2019-11-20T08:02:40.000Z", uri: wayback("20191120080240"), version: 2, archive: "web.archive.org" },
    ]);
  });
});
