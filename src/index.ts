import { app } from "./app";
import type { Env } from "./env";
import { handleQueue, type RedlineMessage } from "./queues";
import { dispatchDueChecks, scaleSettings, trackerFor } from "./tracking";

export default {
  fetch: app.fetch,
  /** The Cron Trigger dispatches the due checks to `redline-checks`; it checks nothing itself. */
  async scheduled(controller, env) {
    await dispatchDueChecks(trackerFor(env).store, env.CHECKS, controller.scheduledTime, scaleSettings(env));
  },
  async queue(batch, env) {
    await handleQueue(batch as MessageBatch<RedlineMessage>, env);
  },
} satisfies ExportedHandler<Env>;
