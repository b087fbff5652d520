/**
 * A loopback fake of the Wayback Machine's Save Page Now 2 API for the tests, as its public
 * documentation ("Save Page Now 2 Public API Docs") describes it. Plain ESM for Node 20, no
 * dependencies; started by vitest.config.ts, its URL the Worker's WAYBACK_ORIGIN.
 *
 *   POST /save                 form url=… (+ options); `Authorization: LOW <access>:<secret>` and
 *                              `Accept: application/json` required → {url, job_id} (with a
 *                              `message` when `if_not_archived_within` finds a recent capture),
 *                              {status: "error", status_ext, message}, 401 without the keys, 429
 *                              with Retry-After past the captures per minute
 *   GET  /save/status/<job>    → {status: "pending", job_id} for the job's pending polls, then
 *                              {status: "success", job_id, original_url, timestamp, duration_sec, resources}
 *                              or {status: "error", status_ext, message, job_id}
 *   GET  /save/status/user     → {available, processing}
 *   GET  /__wayback            {requests: [{method, path, authorization, accept, contentType, form}], jobs}
 *   POST /__wayback            {reset: true} | {saveAnswers: [{status, json?, retryAfter?}]} (the next
 *                              /save answers, one each) | {job: {pendingPolls?, error?}} (how new jobs
 *                              end) | {userStatus: {available, processing}} | {capturesPerMinute}
 */
import { createServer } from "node:http";

export const WAYBACK_KEYS = { accessKey: "test-access-key", secretKey: "test-secret-key" };
const AUTHORIZATION = `LOW ${WAYBACK_KEYS.accessKey}:${WAYBACK_KEYS.secretKey}`;
/** The documented default concurrency of an account's capture sessions. */
const SESSIONS = 12;

const compact = (ms) => new Date(ms).toISOString().replace(/\D/g, "").slice(0, 14);

function freshState() {
  return { requests: [], jobs: new Map(), saveAnswers: [], job: { pendingPolls: 1, error: null }, userStatus: null, capturesPerMinute: 7, submissions: [], counter: 0 };
}

export async function startWaybackFake({ host = "127.0.0.1", port = 0, unref = false } = {}) {
  let state = freshState();

  const json = (res, status, body, headers = {}) => res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));
  const processing = () => [...state.jobs.values()].filter((job) => job.pollsLeft > 0).length;

  function save(req, res, form) {
    const answer = state.saveAnswers.shift();
    if (answer) {
      return json(res, answer.status, answer.json ?? { message: "scripted" }, answer.retryAfter === undefined ? {} : { "Retry-After": String(answer.retryAfter) });
    }
    const now = Date.now();
    state.submissions = state.submissions.filter((at) => now - at < 60_000);
    if (state.submissions.length >= state.capturesPerMinute) return json(res, 429, { message: "Too many captures per minute." }, { "Retry-After": "60" });
    const url = form.url ?? "";
    if (!/^https?:\/\/[^\s/]+/.test(url)) return json(res, 200, { status: "error", status_ext: "error:invalid-url-syntax", message: "Target URL syntax is not valid." });
    state.submissions.push(now);
    const id = `spn2-${(++state.counter).toString(16).padStart(40, "0")}`;
    // if_not_archived_within (seconds here): a capture of the URL that recent is answered instead of a new one.
    const within = Number(form.if_not_archived_within ?? 3600) * 1000;
    const recent = [...state.jobs.values()].reverse().find((job) => job.url === url && job.pollsLeft === 0 && !job.error && now - job.atMs <= within);
    if (recent) {
      state.jobs.set(id, { ...recent, id, pollsLeft: 0, reused: true });
      return json(res, 200, { url, job_id: id, message: `The same snapshot had been made ${Math.round((now - recent.atMs) / 60_000)} minutes ago.` });
    }
    state.jobs.set(id, { id, url, atMs: now, pollsLeft: state.job.pendingPolls, error: state.job.error, polled: 0, reused: false });
    return json(res, 200, { url, job_id: id });
  }

  function jobStatus(res, id) {
    const job = state.jobs.get(id);
    if (!job) return json(res, 404, { status: "error", message: "Job not found." });
    job.polled += 1;
    if (job.pollsLeft > 0) {
      job.pollsLeft -= 1;
      return json(res, 200, { status: "pending", job_id: id, resources: [] });
    }
    if (job.error) return json(res, 200, { status: "error", job_id: id, status_ext: job.error.status_ext, message: job.error.message ?? "", resources: [] });
    return json(res, 200, { status: "success", job_id: id, original_url: job.url, timestamp: compact(job.atMs), duration_sec: 4.2, resources: [job.url] });
  }

  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString("utf8");
    const { pathname } = new URL(req.url ?? "/", "http://wayback");
    if (pathname === "/__wayback") {
      if (req.method === "POST") {
        const command = JSON.parse(body || "{}");
        if (command.reset) state = freshState();
        if (command.saveAnswers) state.saveAnswers.push(...command.saveAnswers);
        if (command.job) state.job = { ...state.job, ...command.job };
        if (command.userStatus) state.userStatus = command.userStatus;
        if (command.capturesPerMinute !== undefined) state.capturesPerMinute = command.capturesPerMinute;
      }
      return json(res, 200, { requests: state.requests, jobs: [...state.jobs.values()].map(({ id, url, atMs, polled, reused }) => ({ id, url, timestamp: compact(atMs), polled, reused })) });
    }
    const contentType = req.headers["content-type"] ?? null;
    const form = contentType?.startsWith("application/x-www-form-urlencoded") ? Object.fromEntries(new URLSearchParams(body)) : null;
    state.requests.push({ method: req.method, path: pathname, authorization: req.headers.authorization ?? null, accept: req.headers.accept ?? null, contentType, form });

    if (req.headers.authorization !== AUTHORIZATION) return json(res, 401, { status: "error", message: "You need to be logged in to use Save Page Now." });
    if (req.headers.accept !== "application/json") return res.writeHead(200, { "Content-Type": "text/html" }).end("<html><body>Save Page Now</body></html>");
    if (req.method === "POST" && pathname === "/save") {
      if (!form) return json(res, 400, { status: "error", status_ext: "error:bad-request", message: "Expected a form body." });
      return save(req, res, form);
    }
    if (req.method === "GET" && pathname === "/save/status/user") {
      const busy = processing();
      return json(res, 200, state.userStatus ?? { available: Math.max(0, SESSIONS - busy), processing: busy });
    }
    const status = /^\/save\/status\/([^/]+)$/.exec(pathname);
    if (req.method === "GET" && status) return jobStatus(res, decodeURIComponent(status[1]));
    return json(res, 404, { message: "Not found." });
  });
  server.on("connection", (socket) => {
    if (unref) socket.unref();
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  // unref: a fake started from a test runner's config never keeps Node alive.
  if (unref) server.unref();
  return { url: `http://${host}:${server.address().port}` };
}
