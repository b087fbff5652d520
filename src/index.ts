import { app } from "./app";
import type { Env } from "./env";
import { maxChecksPerRun, runScheduledChecks, trackerFor } from "./tracking";

export default {
  fetch: app.fetch,
  async scheduled(controller, env) {
    await runScheduledChecks(trackerFor(env), controller.scheduledTime, maxChecksPerRun(env));
  },
} satisfies ExportedHandler<Env>;
