import { app } from "./app";
import type { Env } from "./env";
import { maxChecksPerRun, runScheduledChecks, trackerFor } from "./tracking";
import { handleWebhookBatch, type WebhookMessage } from "./webhooks/queue";

export default {
  fetch: app.fetch,
  async scheduled(controller, env) {
    await runScheduledChecks(trackerFor(env), controller.scheduledTime, maxChecksPerRun(env));
  },
  async queue(batch, env) {
    await handleWebhookBatch(batch as MessageBatch<WebhookMessage>, env);
  },
} satisfies ExportedHandler<Env>;
