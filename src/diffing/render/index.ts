export { versionLabel, type DiffDocument, type VersionLabel } from "./document";
export { escapeHtml, renderRedlineFragment, renderRedlinePage } from "./html";
export { renderUnified } from "./unified";
