import { describe, expect, it } from "vitest";
import {
  captureRequest,
  describeError,
  errorVerdict,
  jobStatusRequest,
  pastPollDeadline,
  pollDelaySeconds,
  POLL_DEADLINE_MS,
  readJobStatus,
  readSubmitAnswer,
  readUserStatus,
  userStatusRequest,
  waybackMementoUrl,
} from "./spn2";
import { storesNewVersion, waybackChannel } from "./wayback";

const KEYS = { accessKey: "AKEY", secretKey: "SKEY" };
const ORIGIN = "https://web.archive.org";
const ARTICLE = "https://en.yna.co.kr/view/AEN20191119004552325?section=national/diplomacy";

describe("Save Page Now 2 requests", () => {
  it("submits the article URL as a form with the LOW keys, skipping the first-archive check and never reusing an older capture", () => {
    const { url, init } = captureRequest(ORIGIN, KEYS, ARTICLE, 0);
    expect(url).toBe("https://web.archive.org/save");
    expect(init.method).toBe("POST");
    expect(init.headers).toEqual({ Authorization: "LOW AKEY:SKEY", Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" });
    expect(Object.fromEntries(new URLSearchParams(init.body as string))).toEqual({ url: ARTICLE, skip_first_archive: "1", if_not_archived_within: "1" });
  });

  it("asks for any capture since a lost submission's claim, in whole seconds", () => {
    const { init } = captureRequest(ORIGIN, KEYS, ARTICLE, 130.2);
    expect(new URLSearchParams(init.body as string).get("if_not_archived_within")).toBe("131");
  });

  it("polls a job and the account's sessions with the same headers, the user status uncached", () => {
    expect(jobStatusRequest(ORIGIN, KEYS, "spn2-abc")).toEqual({ url: "https://web.archive.org/save/status/spn2-abc", init: { method: "GET", headers: { Authorization: "LOW AKEY:SKEY", Accept: "application/json" } } });
    expect(userStatusRequest(ORIGIN, KEYS, 1574152800000).url).toBe("https://web.archive.org/save/status/user?_t=1574152800000");
  });

  it("builds the memento URL the API documents for a finished capture", () => {
    expect(waybackMementoUrl(ORIGIN, "20191119084400", ARTICLE)).toBe(`https://web.archive.org/web/20191119084400/${ARTICLE}`);
  });
});

describe("reading SPN2's answers", () => {
  it("reads a job id, keeping SPN2's message", () => {
    expect(readSubmitAnswer(200, '{"url":"https://a.test/","job_id":"spn2-1"}', undefined)).toEqual({ kind: "job", jobId: "spn2-1", message: null });
    expect(readSubmitAnswer(200, '{"url":"https://a.test/","job_id":"spn2-2","message":"The same snapshot had been made 4 minutes ago."}', undefined)).toEqual({
      kind: "job",
      jobId: "spn2-2",
      message: "The same snapshot had been made 4 minutes ago.",
    });
  });

  it("classifies a refused submission by its status_ext", () => {
    expect(readSubmitAnswer(200, '{"status":"error","status_ext":"error:blocked-url","message":"Blocked."}', undefined)).toEqual({
      kind: "error",
      error: { statusExt: "error:blocked-url", message: "Blocked." },
      verdict: "failed",
    });
    expect(readSubmitAnswer(200, '{"status":"error","status_ext":"error:user-session-limit","message":"Busy."}', undefined)).toMatchObject({ kind: "error", verdict: "retry" });
  });

  it("honours a 429's Retry-After, retries 5xx and a 200 without JSON, and fails on refused keys", () => {
    expect(readSubmitAnswer(429, "Too many", 42)).toEqual({ kind: "http", result: { outcome: "retry", reason: "SPN2 answered 429 to the capture request: over the account's captures per minute", retryAfterSeconds: 42 } });
    expect(readSubmitAnswer(502, "", undefined)).toEqual({ kind: "http", result: { outcome: "retry", reason: "SPN2 answered 502 to the capture request" } });
    expect(readSubmitAnswer(200, "<html>", undefined)).toEqual({ kind: "http", result: { outcome: "retry", reason: "SPN2 answered 200 to the capture request without its JSON" } });
    expect(readSubmitAnswer(401, "{}", undefined)).toMatchObject({ kind: "http", result: { outcome: "failed", reason: expect.stringMatching(/^SPN2 refused the keys \(401 to the capture request\)/) } });
  });

  it("reads pending, success and error job statuses; a success without a 14-digit timestamp is still pending", () => {
    expect(readJobStatus(200, '{"status":"pending","job_id":"j"}', undefined, ARTICLE)).toEqual({ kind: "pending" });
    expect(readJobStatus(200, '{"status":"success","job_id":"j","timestamp":"20191119084407","original_url":"https://en.yna.co.kr/final"}', undefined, ARTICLE)).toEqual({
      kind: "success",
      timestamp: "20191119084407",
      atMs: Date.parse("2019-11-19T08:44:07Z"),
      originalUrl: "https://en.yna.co.kr/final",
    });
    expect(readJobStatus(200, '{"status":"success","job_id":"j","timestamp":"20191119084407"}', undefined, ARTICLE)).toMatchObject({ kind: "success", originalUrl: ARTICLE });
    expect(readJobStatus(200, '{"status":"success","timestamp":"2019-11-19"}', undefined, ARTICLE)).toEqual({ kind: "pending" });
    expect(readJobStatus(200, '{"status":"error","status_ext":"error:not-found","exception":"404"}', undefined, ARTICLE)).toEqual({
      kind: "error",
      error: { statusExt: "error:not-found", message: "404" },
      verdict: "failed",
    });
  });

  it("reads the account's free sessions, and lets a capture go ahead when the counts are missing", () => {
    expect(readUserStatus(200, '{"available":0,"processing":12}', undefined)).toEqual({ kind: "sessions", available: 0, processing: 12 });
    expect(readUserStatus(200, "{}", undefined)).toEqual({ kind: "sessions", available: 1, processing: 0 });
    expect(readUserStatus(429, "", 9)).toMatchObject({ kind: "http", result: { outcome: "retry", retryAfterSeconds: 9 } });
  });

  it.each([
    ["error:too-many-daily-captures", "failed"],
    ["error:blocked-url", "failed"],
    ["error:not-found", "failed"],
    ["error:invalid-host-resolution", "failed"],
    ["error:max-daily-bandwidth", "failed"],
    ["error:user-session-limit", "retry"],
    ["error:too-many-requests", "retry"],
    ["error:no-browsers-available", "retry"],
    ["error:gateway-timeout", "retry"],
    ["error:soft-time-limit-exceeded", "retry"],
    ["error:something-new", "retry"],
  ] as const)("answers %s with %s", (statusExt, verdict) => {
    expect(errorVerdict(statusExt)).toBe(verdict);
  });

  it("describes an error by its code and message, shortened", () => {
    expect(describeError({ statusExt: "error:blocked-url", message: "Blocked." })).toBe("error:blocked-url: Blocked.");
    expect(describeError({ statusExt: null, message: "" })).toBe("SPN2 reported an error without saying which");
    expect(describeError({ statusExt: "error:x", message: "m".repeat(400) })).toHaveLength(301);
  });
});

describe("the polling schedule", () => {
  it("waits 10 s, then longer, at most a minute between status requests", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map(pollDelaySeconds)).toEqual([10, 15, 20, 30, 45, 60, 60, 60]);
  });

  it("gives up ten minutes after the submission", () => {
    const submittedAtMs = Date.parse("2019-11-19T08:44:00Z");
    expect(POLL_DEADLINE_MS).toBe(600_000);
    expect(pastPollDeadline(submittedAtMs, submittedAtMs + 599_999)).toBe(false);
    expect(pastPollDeadline(submittedAtMs, submittedAtMs + 600_000)).toBe(true);
  });
});

describe("the wayback channel's own fields", () => {
  const parse = (body: Record<string, unknown>) => waybackChannel.parse(body, { allowLoopback: false, env: {} as never });

  it("wants only the changes that store a new version", () => {
    expect(storesNewVersion({ from: null, to: 1 })).toBe(true);
    expect(storesNewVersion({ from: 1, to: 2 })).toBe(true);
    expect(storesNewVersion({ from: 2, to: 2 })).toBe(false);
    expect(storesNewVersion({ from: 2, to: null })).toBe(false);
  });

  it("keeps the keys as the secret and nothing as config", () => {
    expect(parse({ accessKey: " AKEY ", secretKey: "SKEY" })).toEqual({ config: {}, secret: { accessKey: "AKEY", secretKey: "SKEY" } });
  });

  it("refuses missing or malformed keys, naming the field", async () => {
    const refusal = async (body: Record<string, unknown>) => {
      try {
        parse(body);
      } catch (error) {
        return (await (error as { getResponse(): Response }).getResponse().json()) as { "invalid-params": Array<{ name: string }> };
      }
      throw new Error("accepted");
    };
    expect((await refusal({ secretKey: "SKEY" }))["invalid-params"]).toEqual([{ name: "accessKey", reason: expect.stringContaining("archive.org/account/s3.php") }]);
    expect((await refusal({ accessKey: "A:B", secretKey: "SKEY" }))["invalid-params"][0]!.name).toBe("accessKey");
    expect((await refusal({ accessKey: "AKEY", secretKey: "has space" }))["invalid-params"][0]!.name).toBe("secretKey");
  });
});
