export type { DiffDocument, VersionLabel } from "./document";
export { escapeHtml, renderRedlineFragment, renderRedlinePage } from "./html";
export { renderUnified } from "./unified";
