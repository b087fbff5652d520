/**
 * The Wayback Machine channel: each new version's article URL is captured with Save Page Now 2
 * (src/channels/spn2.ts), and the capture's memento URL is stored with the version
 * (`wayback_captures`, src/storage/wayback.ts) for the version page, its JSON and the TimeMap.
 *
 * The row is the capture's truth, so a delivery and every poll start by reading it: a finished
 * capture is delivered, a job already submitted is polled (a retried delivery never submits
 * twice), and only a version with no live attempt is claimed (compare-and-set) and submitted.
 * The job id is stored before the first poll is queued. A claim whose job id never arrived (a
 * crash, or a capture request that timed out) is submitted again once stale, asking SPN2 for
 * any capture made since that claim rather than a new one.
 */
import type { Env } from "../env";
import type { ChangeRecord } from "../storage/records";
import { WaybackCaptures, type WaybackCapture } from "../storage/wayback";
import { invalidField, requiredString, retryAfterSeconds } from "./fields";
import type { Channel, ChannelContext, DeliveryResult, EditNotice } from "./model";
import {
  captureRequest,
  DEFAULT_WAYBACK_ORIGIN,
  describeError,
  jobStatusRequest,
  NO_SESSION_RETRY_SECONDS,
  pastPollDeadline,
  pollDelaySeconds,
  POLL_DEADLINE_MS,
  readJobStatus,
  readSubmitAnswer,
  readUserStatus,
  RESUBMIT_AFTER_SECONDS,
  STALE_CLAIM_MS,
  userStatusRequest,
  waybackMementoUrl,
  type Spn2Keys,
  type Spn2Request,
} from "./spn2";

/** Nothing to configure: the account is the secret, the service's origin is the Worker's WAYBACK_ORIGIN. */
export type WaybackConfig = Record<string, never>;

/** The change stores a new version: the first capture's `created`, or any change to a new `to`. */
export const storesNewVersion = (change: Pick<ChangeRecord, "from" | "to">): boolean => change.to !== null && change.to !== change.from;

/** WAYBACK_ORIGIN without a trailing slash (the tests' fake), or https://web.archive.org. */
export const waybackOrigin = (env: Env): string => (env.WAYBACK_ORIGIN?.trim() || DEFAULT_WAYBACK_ORIGIN).replace(/\/+$/, "");

/** S3-style keys are short printable tokens; the access key cannot hold the `:` that separates the two in the header. */
function keyField(body: Record<string, unknown>, name: "accessKey" | "secretKey"): string {
  const value = requiredString(body, name, "the account's S3-style API keys, from https://archive.org/account/s3.php");
  if (!/^[\x21-\x7e]{1,256}$/.test(value)) throw invalidField(name, "must be 1 to 256 printable characters without spaces.");
  if (name === "accessKey" && value.includes(":")) throw invalidField(name, "cannot contain `:`.");
  return value;
}

/** `<change id>/<subscription id>`, a test send's with `/test-<uuid>` after it; the change id holds no slash. */
const subscriptionIdOf = (deliveryId: string): string => deliveryId.split("/")[1] ?? deliveryId;

interface Answer {
  status: number;
  text: string;
  retryAfter: number | undefined;
}

async function send(context: ChannelContext, request: Spn2Request): Promise<Answer> {
  const response = await context.fetch(request.url, request.init);
  return { status: response.status, text: await response.text(), retryAfter: retryAfterSeconds(response.headers.get("Retry-After"), context.nowMs) };
}

const delivered = (capture: Pick<WaybackCapture, "jobId" | "mementoUrl" | "mementoAtMs">): DeliveryResult => ({
  outcome: "delivered",
  receipt: { mementoUrl: capture.mementoUrl, mementoAt: capture.mementoAtMs === null ? null : new Date(capture.mementoAtMs).toISOString(), jobId: capture.jobId },
});

/** Another delivery holds the claim: look again after the next poll delay. */
const waitForOther = (polls: number): DeliveryResult => ({ outcome: "pending", state: { polls: polls + 1 }, afterSeconds: pollDelaySeconds(polls) });

class Capturer {
  private readonly captures: WaybackCaptures;
  private readonly origin: string;
  private readonly articleId: string;

  constructor(
    private readonly notice: EditNotice,
    private readonly n: number,
    private readonly keys: Spn2Keys,
    private readonly context: ChannelContext,
  ) {
    this.captures = new WaybackCaptures(context.env.DB);
    this.origin = waybackOrigin(context.env);
    this.articleId = notice.article.id;
  }

  /** One step from whatever the row says now; `polls` counts the status requests (and waits) so far. */
  async advance(polls: number): Promise<DeliveryResult> {
    const capture = await this.captures.captureOf(this.articleId, this.n);
    switch (capture?.status) {
      case "success":
        return delivered(capture);
      case "failed":
        return { outcome: "failed", reason: capture.error ?? `the Wayback capture of version ${this.n} failed` };
      case "pending":
        return this.checkJob(capture, polls);
      case "submitting": {
        const age = this.context.nowMs - capture.claimedAtMs;
        if (age < STALE_CLAIM_MS) return waitForOther(polls);
        // The lost submission may have made a capture since its claim: SPN2 answers with that one.
        return this.submit(capture, age / 1000);
      }
      default:
        return this.submit(capture, 0);
    }
  }

  private async submit(read: WaybackCapture | null, reuseWithinSeconds: number): Promise<DeliveryResult> {
    const { nowMs } = this.context;
    const sessions = await send(this.context, userStatusRequest(this.origin, this.keys, nowMs));
    const user = readUserStatus(sessions.status, sessions.text, sessions.retryAfter);
    if (user.kind === "http") return user.result;
    if (user.available <= 0) {
      return { outcome: "retry", reason: `no capture session is free on the Wayback account (${user.processing} processing)`, retryAfterSeconds: NO_SESSION_RETRY_SECONDS };
    }

    if (!(await this.captures.claim(this.articleId, this.n, subscriptionIdOf(this.notice.deliveryId), read, nowMs))) return waitForOther(0);
    // A network error or timeout here is thrown to the framework (a retry) with the claim left in
    // place: SPN2 may have accepted the job, so it is submitted again, asking for a capture since
    // the claim, only once the claim is stale.
    const answer = await send(this.context, captureRequest(this.origin, this.keys, this.notice.article.url, reuseWithinSeconds));
    const submitted = readSubmitAnswer(answer.status, answer.text, answer.retryAfter);
    if (submitted.kind === "job") {
      const stored = await this.captures.recordJob(this.articleId, this.n, nowMs, submitted.jobId, nowMs);
      if (!stored) return waitForOther(0);
      return { outcome: "pending", state: { jobId: submitted.jobId, polls: 0 }, afterSeconds: pollDelaySeconds(0) };
    }
    if (submitted.kind === "error") return this.attemptFailed(nowMs, submitted.verdict, describeError(submitted.error));
    // An HTTP refusal (429, 5xx, the keys) is about the account or the service, not the version:
    // another attempt, or another subscription's keys, may capture it.
    await this.captures.recordError(this.articleId, this.n, nowMs, "retry", submitted.result.reason, nowMs);
    return submitted.result;
  }

  private async checkJob(capture: WaybackCapture, polls: number): Promise<DeliveryResult> {
    const jobId = capture.jobId!;
    const answer = await send(this.context, jobStatusRequest(this.origin, this.keys, jobId));
    const status = readJobStatus(answer.status, answer.text, answer.retryAfter, this.notice.article.url);
    const { nowMs } = this.context;
    switch (status.kind) {
      case "success": {
        const memento = { uri: waybackMementoUrl(this.origin, status.timestamp, status.originalUrl), atMs: status.atMs };
        await this.captures.recordSuccess(this.articleId, this.n, capture.claimedAtMs, memento, nowMs);
        return delivered({ jobId, mementoUrl: memento.uri, mementoAtMs: memento.atMs });
      }
      case "error":
        return this.attemptFailed(capture.claimedAtMs, status.verdict, `job ${jobId}: ${describeError(status.error)}`);
      case "http":
        return status.result;
      case "pending":
        if (pastPollDeadline(capture.submittedAtMs ?? capture.claimedAtMs, nowMs)) {
          return this.attemptFailed(capture.claimedAtMs, "failed", `job ${jobId} had not finished ${POLL_DEADLINE_MS / 60_000} minutes after it was submitted`);
        }
        return { outcome: "pending", state: { jobId, polls: polls + 1 }, afterSeconds: pollDelaySeconds(polls + 1) };
    }
  }

  /** A job error: `retry` leaves the version to the next delivery's new submission, `failed` closes it. */
  private async attemptFailed(claimedAtMs: number, verdict: "retry" | "failed", reason: string): Promise<DeliveryResult> {
    await this.captures.recordError(this.articleId, this.n, claimedAtMs, verdict, reason, this.context.nowMs);
    return verdict === "failed" ? { outcome: "failed", reason } : { outcome: "retry", reason, retryAfterSeconds: RESUBMIT_AFTER_SECONDS };
  }
}

/**
 * A change without a new version has nothing to capture; only a test send hands one over (the
 * fan-out asks `wants` first), and for it the keys are checked against the account's sessions,
 * so a test shows the account works without spending a capture.
 */
async function checkAccount(keys: Spn2Keys, context: ChannelContext): Promise<DeliveryResult> {
  const answer = await send(context, userStatusRequest(waybackOrigin(context.env), keys, context.nowMs));
  const user = readUserStatus(answer.status, answer.text, answer.retryAfter);
  if (user.kind === "http") return user.result;
  return { outcome: "delivered", receipt: { captured: false, reason: "this change stores no new version; the keys were checked instead", available: user.available, processing: user.processing } };
}

function step(notice: EditNotice, keys: Spn2Keys, context: ChannelContext, polls: number): Promise<DeliveryResult> {
  const n = notice.change.to;
  if (n === null || !storesNewVersion(notice.change)) return checkAccount(keys, context);
  return new Capturer(notice, n, keys, context).advance(polls);
}

export const waybackChannel: Channel<WaybackConfig, Spn2Keys> = {
  type: "wayback",
  parse(body) {
    return { config: {}, secret: { accessKey: keyField(body, "accessKey"), secretKey: keyField(body, "secretKey") } };
  },
  wants: storesNewVersion,
  deliver: (notice, _config, keys, context) => step(notice, keys, context, 0),
  poll: (notice, state, _config, keys, context) => step(notice, keys, context, typeof state.polls === "number" ? state.polls : 0),
  describe: () => "Save Page Now capture of each new version in the Wayback Machine",
};

/** A version's Wayback capture as the API shows it (beside the version record, never part of it). */
export function waybackCaptureView(capture: WaybackCapture) {
  return {
    status: capture.status,
    mementoUrl: capture.mementoUrl,
    mementoAt: capture.mementoAtMs === null ? null : new Date(capture.mementoAtMs).toISOString(),
    jobId: capture.jobId,
    requestedAt: new Date(capture.claimedAtMs).toISOString(),
    error: capture.error,
  };
}
