import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "./retry-after";

const now = Date.UTC(2026, 3, 1, 12, 0, 0);

describe("parseRetryAfter (RFC 9110 §10.2.3)", () => {
  it.each([
    ["7200", 7200],
    ["0", 0],
    ["120", 120],
    ["0086400", 86_400],
  ])("reads delay-seconds %s", (value, seconds) => {
    expect(parseRetryAfter(value, now)).toEqual({ delaySeconds: seconds });
  });

  it.each([
    ["an IMF-fixdate", "Wed, 01 Apr 2026 14:30:05 GMT", Date.UTC(2026, 3, 1, 14, 30, 5)],
    ["an obsolete RFC 850 date", "Wednesday, 01-Apr-26 14:30:05 GMT", Date.UTC(2026, 3, 1, 14, 30, 5)],
    ["an RFC 850 date whose 2-digit year would be over 50 years ahead, as the past century", "Sunday, 06-Nov-94 08:49:37 GMT", Date.UTC(1994, 10, 6, 8, 49, 37)],
    ["an obsolete asctime date", "Wed Apr  1 14:30:05 2026", Date.UTC(2026, 3, 1, 14, 30, 5)],
    ["an asctime date with a 2-digit day", "Sat Apr 11 14:30:05 2026", Date.UTC(2026, 3, 11, 14, 30, 5)],
  ])("reads %s as that time", (_, value, at) => {
    expect(parseRetryAfter(value, now)).toEqual({ at });
  });

  it.each([
    ["nothing", null],
    ["an empty value", ""],
    ["a negative delay", "-5"],
    ["a fractional delay", "1.5"],
    ["a delay with a unit", "120s"],
    ["a date in a lower-case zone", "Wed, 01 Apr 2026 14:30:05 gmt"],
    ["a date in another zone", "Wed, 01 Apr 2026 14:30:05 +0000"],
    ["an impossible date", "Tue, 31 Feb 2026 14:30:05 GMT"],
    ["an impossible time", "Wed, 01 Apr 2026 25:30:05 GMT"],
    ["an ISO 8601 time", "2026-04-01T14:30:05Z"],
  ])("ignores %s", (_, value) => {
    expect(parseRetryAfter(value, now)).toBeNull();
  });
});
