import { describe, expect, it } from "vitest";
import { closestMemento, compactDatetime, httpDate, mementosOf, parseCompactDatetime, parseHttpDate } from "./memento";

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
