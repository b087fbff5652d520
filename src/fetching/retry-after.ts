/**
 * The `Retry-After` header (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date in any of the
 * three forms a recipient must accept (§5.6.7): IMF-fixdate, and the obsolete RFC 850 and
 * asctime forms. Anything else is ignored, as if the header were absent.
 */
import type { RetryAfter } from "../scheduling";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH = `(${MONTHS.join("|")})`;
const DAY_NAME = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
// HTTP-dates are case-sensitive and always GMT (§5.6.7).
const IMF_FIXDATE = new RegExp(`^${DAY_NAME}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^${DAY_NAME} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/** Epoch ms, or null for a day or time that does not exist (31 Feb, 25:00). Second 60 is a leap second. */
function utc(year: number, month: string, day: string, hour: string, minute: string, second: string): number | null {
  const m = MONTHS.indexOf(month);
  const date = new Date(Date.UTC(year, m, Number(day)));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== m || date.getUTCDate() !== Number(day)) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 60) return null;
  return date.getTime() + ((Number(hour) * 60 + Number(minute)) * 60 + Number(second)) * 1000;
}

/**
 * `nowMs` only places an RFC 850 date's two-digit year: one that would lie more than 50 years
 * ahead is the most recent past year with those digits (§5.6.7).
 */
export function parseRetryAfter(value: string | null, nowMs: number): RetryAfter | null {
  if (value === null) return null;
  if (/^\d+$/.test(value)) return { delaySeconds: Number(value) };
  let at: number | null = null;
  let match: RegExpExecArray | null;
  if ((match = IMF_FIXDATE.exec(value))) {
    const [, day = "", month = "", year = "", hour = "", minute = "", second = ""] = match;
    at = utc(Number(year), month, day, hour, minute, second);
  } else if ((match = RFC850_DATE.exec(value))) {
    const [, day = "", month = "", yy = "", hour = "", minute = "", second = ""] = match;
    const thisYear = new Date(nowMs).getUTCFullYear();
    const year = thisYear - (thisYear % 100) + Number(yy);
    at = utc(year > thisYear + 50 ? year - 100 : year, month, day, hour, minute, second);
  } else if ((match = ASCTIME_DATE.exec(value))) {
    const [, month = "", day = "", hour = "", minute = "", second = "", year = ""] = match;
    at = utc(Number(year), month, day.trim(), hour, minute, second);
  }
  return at === null ? null : { at };
}
