export {
  backedOff,
  CHECK_POLICY,
  DUE_TOLERANCE_MS,
  FAILURE_BACKOFF_BASE_MS,
  FAILURE_BACKOFF_CAP_MS,
  isDue,
  nextCheckAt,
  type CheckInterval,
  type RetryAfter,
  type ScheduleInput,
} from "./schedule";
