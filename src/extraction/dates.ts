/**
 * Turns the many ways pages state a date into one ISO 8601 shape:
 * `YYYY-MM-DDTHH:MM:SS` followed by the zone, e.g. `2019-11-20T17:44:00+09:00`.
 *
 * Zone rule, in order:
 *  1. the value states its zone: keep it — a numeric offset as `±HH:MM`, an explicit UTC marker
 *     (`Z`, `UTC`, `GMT`) as `Z`, a known abbreviation (`KST`, `HKT`, …) as its offset;
 *  2. otherwise the site's IANA time zone (from its profile) gives the offset in force at that
 *     wall-clock time, so DST-observing sites come out right;
 *  3. otherwise (generic pages) the local time is returned as given, with no zone suffix:
 *     guessing would invent precision the page does not have.
 * Fractional seconds are dropped (no site shows them and they only add diff noise); a date
 * without a time of day stays a plain `YYYY-MM-DD`.
 */

interface DateTimeParts {
  year: number;
  month: number;
  day: number;
  /** Absent when the source gives a calendar date only. */
  time?: { hour: number; minute: number; second: number };
}

/** Offsets of the zone abbreviations news sites print; ambiguous ones (CST, IST) are left out. */
const ZONE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  UTC: "Z",
  GMT: "Z",
  KST: "+09:00",
  JST: "+09:00",
  HKT: "+08:00",
  SGT: "+08:00",
  PHT: "+08:00",
  ICT: "+07:00",
  BST: "+01:00",
  CET: "+01:00",
  CEST: "+02:00",
  EST: "-05:00",
  EDT: "-04:00",
  CDT: "-05:00",
  MST: "-07:00",
  MDT: "-06:00",
  PST: "-08:00",
  PDT: "-07:00",
};

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

function formatOffsetMinutes(totalMinutes: number): string {
  const sign = totalMinutes < 0 ? "-" : "+";
  const absolute = Math.abs(totalMinutes);
  return `${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
}

/** `+0900`, `+09`, `+09:00`, `Z`, `UTC+8`, `GMT+09:00`, `KST` → canonical suffix, else null. */
function canonicalZone(zone: string): string | null {
  const upper = zone.trim().toUpperCase();
  if (upper === "Z") return "Z";
  const offset = /^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(upper);
  if (offset) {
    const minutes = Number(offset[2]) * 60 + Number(offset[3] ?? 0);
    if (minutes > 14 * 60) return null;
    return formatOffsetMinutes(offset[1] === "-" ? -minutes : minutes);
  }
  return ZONE_ABBREVIATIONS[upper] ?? null;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isValid(parts: DateTimeParts): boolean {
  const { year, month, day, time } = parts;
  const validDate =
    year >= 1900 && year <= 2200 && month >= 1 && month <= 12 && day >= 1 &&
    day <= daysInMonth(year, month);
  return (
    validDate &&
    (!time || (time.hour <= 23 && time.minute <= 59 && time.second <= 59))
  );
}

const wallClockAsUtcMillis = ({ year, month, day, time }: DateTimeParts): number =>
  Date.UTC(year, month - 1, day, time?.hour ?? 0, time?.minute ?? 0, time?.second ?? 0);

/** Intl formatters are costly to build, and a page asks for the same zone several times. */
const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function zoneOffsetMinutesAt(utcMillis: number, timeZone: string): number {
  let formatter = zoneFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    zoneFormatters.set(timeZone, formatter);
  }
  // One formatToParts per instant (it dominated reading a page's dates when called per field).
  let year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  for (const part of formatter.formatToParts(utcMillis)) {
    switch (part.type) {
      case "year": year = Number(part.value); break;
      case "month": month = Number(part.value); break;
      case "day": day = Number(part.value); break;
      case "hour": hour = Number(part.value); break;
      case "minute": minute = Number(part.value); break;
      case "second": second = Number(part.value); break;
    }
  }
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second);
  return Math.round((wallClock - utcMillis) / 60_000);
}

/** Offsets already worked out, by zone and wall clock: a page prints the same dates many times. */
const wallClockOffsets = new Map<string, string>();
const MAX_WALL_CLOCK_OFFSETS = 4096;

/**
 * Offset of an IANA zone at a local wall-clock time. The offset at "wall clock read as UTC" is
 * only a first guess; re-evaluating at the instant that guess implies settles DST boundaries.
 */
function zoneOffsetForWallClock(parts: DateTimeParts, timeZone: string): string {
  const wallClock = wallClockAsUtcMillis(parts);
  const key = `${timeZone} ${wallClock}`;
  const known = wallClockOffsets.get(key);
  if (known !== undefined) return known;
  const firstGuess = zoneOffsetMinutesAt(wallClock, timeZone);
  const offset = formatOffsetMinutes(zoneOffsetMinutesAt(wallClock - firstGuess * 60_000, timeZone));
  if (wallClockOffsets.size >= MAX_WALL_CLOCK_OFFSETS) wallClockOffsets.clear();
  wallClockOffsets.set(key, offset);
  return offset;
}

function formatDateTime(
  parts: DateTimeParts,
  statedZone: string | null,
  siteTimeZone: string | null,
): string | null {
  if (!isValid(parts)) return null;
  const date = `${pad(parts.year, 4)}-${pad(parts.month)}-${pad(parts.day)}`;
  if (!parts.time) return date;
  const { hour, minute, second } = parts.time;
  const zone =
    statedZone ?? (siteTimeZone ? zoneOffsetForWallClock(parts, siteTimeZone) : "");
  return `${date}T${pad(hour)}:${pad(minute)}:${pad(second)}${zone}`;
}

const MACHINE_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Parses a machine-readable value (JSON-LD, meta `content`, `<time datetime>`): ISO 8601 first,
 * then the human formats below, which also cover RFC 2822 (`Wed, 20 Nov 2019 17:44:00 +0900`).
 */
export function parseMachineDate(value: string, siteTimeZone: string | null): string | null {
  const match = MACHINE_DATE.exec(value.trim());
  if (!match) return parseHumanDate(value, siteTimeZone);
  const [, year, month, day, hour, minute, second, zone] = match;
  const parts: DateTimeParts = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    time:
      hour === undefined
        ? undefined
        : { hour: Number(hour), minute: Number(minute), second: Number(second ?? 0) },
  };
  const statedZone = zone === undefined ? null : canonicalZone(zone);
  return formatDateTime(parts, statedZone, siteTimeZone);
}

const MONTH_NAME =
  "(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?";
const MONTH_NUMBERS: Readonly<Record<string, number>> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};
const ORDINAL = "(?:st|nd|rd|th)?";

/** The calendar-date shapes seen on news pages; each yields named groups year, month, day. */
const CALENDAR_DATES: readonly RegExp[] = [
  // 2019-11-20, 2017/06/01, 2019.11.20
  /\b(?<year>\d{4})[-/.](?<month>\d{1,2})[-/.](?<day>\d{1,2})\b/,
  // December 18, 2019 · Dec. 18 2019
  new RegExp(`\\b(?<month>${MONTH_NAME})\\s+(?<day>\\d{1,2})${ORDINAL},?\\s+(?<year>\\d{4})\\b`, "i"),
  // 19 Nov 2019 · 19 November, 2019
  new RegExp(`\\b(?<day>\\d{1,2})${ORDINAL}\\s+(?<month>${MONTH_NAME}),?\\s+(?<year>\\d{4})\\b`, "i"),
];

const ZONE_TEXT = `(?<zone>(?:UTC|GMT)\\s*[+-]\\d{1,2}(?::?\\d{2})?|[+-]\\d{2}:?\\d{2}|\\b[A-Z]{3,4}\\b)`;
const TIME_TEXT = `(?<hour>\\d{1,2}):(?<minute>\\d{2})(?::(?<second>\\d{2}))?(?:\\s*(?<meridiem>[ap])\\.?\\s?m\\b\\.?)?`;
/** A time right after the date: "2019-11-20 17:44 KST", "19 Nov 2019 3:59 pm", "Dec 18, 2019, at 8:39". */
const TIME_AFTER_DATE = new RegExp(`^(?:\\s*(?:,|\\||at|-|–|T)?\\s*)${TIME_TEXT}(?:\\s*\\(?${ZONE_TEXT})?`, "i");
/** A time right before the date, as Yonhap prints it: "20:39 December 18, 2019". */
const TIME_BEFORE_DATE = new RegExp(`${TIME_TEXT}(?:\\s*${ZONE_TEXT})?[\\s,|]*$`, "i");
/** A zone after the date when the time came first: "20:39 December 18, 2019 (KST)". */
const ZONE_AFTER_DATE = new RegExp(`^\\s*\\(?${ZONE_TEXT}`);

function monthNumber(text: string): number {
  return /^\d+$/.test(text) ? Number(text) : (MONTH_NUMBERS[text.slice(0, 3).toLowerCase()] ?? 0);
}

function timeFromGroups(groups: Record<string, string | undefined>): DateTimeParts["time"] {
  let hour = Number(groups["hour"]);
  const meridiem = groups["meridiem"]?.toLowerCase();
  if (meridiem) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (meridiem === "p" ? 12 : 0);
  }
  return { hour, minute: Number(groups["minute"]), second: Number(groups["second"] ?? 0) };
}

function earliestCalendarDate(text: string): RegExpExecArray | null {
  let earliest: RegExpExecArray | null = null;
  for (const pattern of CALENDAR_DATES) {
    const match = pattern.exec(text);
    if (match && (!earliest || match.index < earliest.index)) earliest = match;
  }
  return earliest;
}

/**
 * Finds the first date (with its time and zone when printed next to it) in visible text such as
 * "Posted on : 2019-11-20 17:44 KST", "Diplomacy 20:39 December 18, 2019",
 * "World | 19 Nov 2019 3:59 pm" or "Tuesday, 19 November 2019 7:45 AM".
 */
export function parseHumanDate(text: string, siteTimeZone: string | null): string | null {
  const dateMatch = earliestCalendarDate(text);
  const dateGroups = dateMatch?.groups;
  if (!dateMatch || !dateGroups) return null;
  const parts: DateTimeParts = {
    year: Number(dateGroups["year"]),
    month: monthNumber(dateGroups["month"] ?? ""),
    day: Number(dateGroups["day"]),
  };
  const after = text.slice(dateMatch.index + dateMatch[0].length);
  const before = text.slice(0, dateMatch.index);
  const timeMatch = TIME_AFTER_DATE.exec(after) ?? TIME_BEFORE_DATE.exec(before);
  let zoneText: string | undefined;
  if (timeMatch?.groups) {
    parts.time = timeFromGroups(timeMatch.groups);
    zoneText = timeMatch.groups["zone"] ?? ZONE_AFTER_DATE.exec(after)?.groups?.["zone"];
  }
  const statedZone = zoneText === undefined ? null : canonicalZone(zoneText);
  return formatDateTime(parts, statedZone, siteTimeZone);
}
