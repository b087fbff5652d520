/**
 * Redline's queues in one place: the names (names.ts, checked against wrangler.toml by
 * test/queues.test.ts), the message types (messages.ts), and the one `queue()` handler, which
 * dispatches each batch on `batch.queue` to its consumer.
 */
import type { Env } from "../env";
import { handleWebhookBatch, handleWebhookDeadLetters } from "../channels/queue";
import { handleCheckBatch, handleCheckDeadLetters } from "./checks";
import type { ChecksQueueMessage, RedlineMessage, WebhookMessage } from "./messages";
import { QUEUES } from "./names";

export { QUEUES } from "./names";
export type { CheckMessage, ChecksQueueMessage, DiscoverMessage, RedlineMessage, SourceCheckMessage, WebhookMessage } from "./messages";

export async function handleQueue(batch: MessageBatch<RedlineMessage>, env: Env): Promise<void> {
  switch (batch.queue) {
    case QUEUES.checks:
      return handleCheckBatch(batch as MessageBatch<ChecksQueueMessage>, env);
    case QUEUES.checksDeadLetter:
      return handleCheckDeadLetters(batch as MessageBatch<ChecksQueueMessage>, env);
    case QUEUES.webhooks:
      return handleWebhookBatch(batch as MessageBatch<WebhookMessage>, env);
    case QUEUES.webhooksDeadLetter:
      return handleWebhookDeadLetters(batch as MessageBatch<WebhookMessage>, env);
    default:
      // A queue this Worker does not know (wrangler.toml and names.ts disagree): leave the messages for a fixed deploy.
      throw new Error(`redline: no consumer for queue ${batch.queue}`);
  }
}
