export { diffVersions } from "./diff";
export { contentHash, normalizeContent } from "./canonical";
export { summarizeCreated, summarizeRemoved, summarizeRestored, summarizeRevert } from "./summary";
