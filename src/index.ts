import { app } from "./app";
import { renewWebSubLeases } from "./discovery/websub-client";
import type { Env } from "./env";
import { handleQueue, type RedlineMessage } from "./queues";
import { SourceChecks } from "./storage/source-checks";
import { dispatchDueChecks, scaleSettings, trackerFor } from "./tracking";

export default {
  fetch: app.fetch,
  /** The Cron Trigger dispatches the due source and article checks to `redline-checks`; it checks nothing itself. It renews WebSub subscriptions. */
  async scheduled(controller, env) {
    await dispatchDueChecks(trackerFor(env).store, env.CHECKS, controller.scheduledTime, scaleSettings(env), new SourceChecks(env.DB));
    // WebSub leases about to end, and subscription requests to retry: one indexed query, at most 10 requests.
    await renewWebSubLeases(env, controller.scheduledTime);
  },
  async queue(batch, env) {
    await handleQueue(batch as MessageBatch<RedlineMessage>, env);
  },
} satisfies ExportedHandler<Env>;
