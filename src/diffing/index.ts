export { diffVersions, type DiffSide } from "./diff";
export { EVENT_SIGNIFICANCE, withRevert } from "./significance";
export { contentHash, normalizeContent } from "./canonical";
export { summarizeCreated, summarizeRelocated, summarizeRemoved, summarizeRestored, summarizeRevert } from "./summary";
