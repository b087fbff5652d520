export { versionLabel, type DiffDocument, type VersionLabel } from "./document";
export { escapeHtml, REDLINE_PAGE_STYLE, renderRedlineFragment, renderRedlinePage } from "./html";
export { renderUnified } from "./unified";
