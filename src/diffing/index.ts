export { diffVersions, type DiffSide } from "./diff";
export { asRevert, diffInHistory, type VersionIdentity } from "./revert";
export { EVENT_SIGNIFICANCE } from "./significance";
export { contentHash, normalizeContent } from "./canonical";
export { summarizeCreated, summarizeRelocated, summarizeRemoved, summarizeRestored } from "./summary";
