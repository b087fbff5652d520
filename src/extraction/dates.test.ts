import { describe, expect, it } from "vitest";
import { parseHumanDate, parseMachineDate } from "./dates";

describe("parseMachineDate", () => {
  it.each([
    ["2019-08-20T09:31:01+09:00", null, "2019-08-20T09:31:01+09:00"],
    ["2019-11-20T17:44+09:00", null, "2019-11-20T17:44:00+09:00"],
    ["2019-11-20T08:44:00.000Z", null, "2019-11-20T08:44:00Z"],
    ["2019-11-20T17:44:00+0900", null, "2019-11-20T17:44:00+09:00"],
    ["2019-11-20T17:44:00+00:00", "Asia/Seoul", "2019-11-20T17:44:00+00:00"],
    ["2019-11-20 17:44:00", "Asia/Seoul", "2019-11-20T17:44:00+09:00"],
    ["2019-11-20T17:44:00", null, "2019-11-20T17:44:00"],
    ["2019-11-20", "Asia/Seoul", "2019-11-20"],
    ["Wed, 20 Nov 2019 17:44:00 +0900", null, "2019-11-20T17:44:00+09:00"],
  ])("%s (site zone %s) → %s", (value, zone, expected) => {
    expect(parseMachineDate(value, zone)).toBe(expected);
  });

  it("rejects impossible dates and junk", () => {
    expect(parseMachineDate("2019-02-30T10:00:00Z", null)).toBeNull();
    expect(parseMachineDate("2019-11-20T25:00:00Z", null)).toBeNull();
    expect(parseMachineDate("yesterday", null)).toBeNull();
    expect(parseMachineDate("", null)).toBeNull();
  });

  it("applies the site zone's daylight-saving offset in force at that time", () => {
    expect(parseMachineDate("2019-07-01T12:00:00", "America/New_York")).toBe("2019-07-01T12:00:00-04:00");
    expect(parseMachineDate("2019-12-01T12:00:00", "America/New_York")).toBe("2019-12-01T12:00:00-05:00");
  });
});

describe("parseHumanDate", () => {
  it.each([
    ["Hankyoreh", "Posted on : 2019-11-20 17:44 KST", null, "2019-11-20T17:44:00+09:00"],
    ["Yonhap", "Diplomacy 20:39 December 18, 2019", "Asia/Seoul", "2019-12-18T20:39:00+09:00"],
    ["Yonhap 2017", "2017/06/01 18:10", "Asia/Seoul", "2017-06-01T18:10:00+09:00"],
    ["The Standard", "World | 19 Nov 2019 3:59 pm", "Asia/Hong_Kong", "2019-11-19T15:59:00+08:00"],
    ["Press TV", "Tuesday, 19 November 2019 7:45 AM", "UTC", "2019-11-19T07:45:00+00:00"],
    ["explicit GMT", "Tuesday, 19 November 2019 7:45 AM GMT", "Asia/Seoul", "2019-11-19T07:45:00Z"],
    ["noon and midnight", "Dec. 18, 2019, 12:05 a.m.", null, "2019-12-18T00:05:00"],
    ["no time of day", "Published December 18, 2019", "Asia/Seoul", "2019-12-18"],
    ["UTC offset", "19 Nov 2019 15:59 (GMT+8)", null, "2019-11-19T15:59:00+08:00"],
  ])("%s: %s", (_site, text, zone, expected) => {
    expect(parseHumanDate(text, zone)).toBe(expected);
  });

  it("finds nothing in text without a date", () => {
    expect(parseHumanDate("Posted on : ", "Asia/Seoul")).toBeNull();
    expect(parseHumanDate("Call 13:45 for details", null)).toBeNull();
  });
});
