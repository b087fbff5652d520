import type { FieldChange, FieldKind, ParagraphDiff, WordPart } from "../../model";
import { changeRanges, diffLabels, FIELD_LABELS, moveNote, type DiffDocument } from "./document";

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Article text is untrusted: every character that could open markup or an attribute is escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

const WORD_TAGS: Record<WordPart["op"], (text: string) => string> = {
  equal: (text) => text,
  added: (text) => `<ins>${text}</ins>`,
  removed: (text) => `<del>${text}</del>`,
};

/** A moved paragraph keeps its `<ins>`/`<del>` (readable anywhere) and says where it went. */
function movedHtml(paragraph: ParagraphDiff): { className: string; note: string } {
  const note = moveNote(paragraph);
  return note === null ? { className: "", note: "" } : { className: " moved", note: ` <small class="move">(${note})</small>` };
}

function paragraphHtml(paragraph: ParagraphDiff): string {
  const { className, note } = movedHtml(paragraph);
  switch (paragraph.op) {
    case "equal":
      return `<p>${escapeHtml(paragraph.text)}</p>`;
    case "added":
      return `<p class="added${className}"><ins>${escapeHtml(paragraph.text)}</ins>${note}</p>`;
    case "removed":
      return `<p class="removed${className}"><del>${escapeHtml(paragraph.text)}</del>${note}</p>`;
    case "changed":
      return `<p class="changed">${paragraph.words.map((part) => WORD_TAGS[part.op](escapeHtml(part.text))).join("")}</p>`;
  }
}

function fieldHtml(label: string, change: FieldChange): string {
  const before = change.before === null ? "" : `<del>${escapeHtml(change.before)}</del> `;
  const after = change.after === null ? "" : `<ins>${escapeHtml(change.after)}</ins>`;
  return `<dt>${label}</dt><dd>${before}${after}</dd>`;
}

const elided = (count: number): string =>
  `<p class="elided">[${count} unchanged paragraph${count === 1 ? "" : "s"}]</p>`;

/** Only the changed paragraphs and `context` unchanged ones around each; the rest is counted, not shown. */
function compactBody(paragraphs: ParagraphDiff[], context: number): string {
  let html = "";
  let shownUpTo = 0;
  for (const [start, end] of changeRanges(paragraphs, (paragraph) => paragraph.op !== "equal", context)) {
    if (start > shownUpTo) html += elided(start - shownUpTo);
    html += paragraphs.slice(start, end).map(paragraphHtml).join("");
    shownUpTo = end;
  }
  return paragraphs.length > shownUpTo ? html + elided(paragraphs.length - shownUpTo) : html;
}

/**
 * The redline as an HTML fragment for embedding (web pages, feed entries): changed fields first,
 * then the body with `<ins>`/`<del>` inline. Carries no styles, so the embedder decides the look.
 * With `context`, unchanged paragraphs further than that from a change are left out (feeds).
 */
export function renderRedlineFragment({ diff }: DiffDocument, options: { context?: number } = {}): string {
  const fields = (Object.entries(diff.fields) as Array<[FieldKind, FieldChange]>)
    .map(([kind, change]) => fieldHtml(FIELD_LABELS[kind], change))
    .join("");
  const fieldList = fields ? `<dl class="fields">${fields}</dl>` : "";
  const body = options.context === undefined ? diff.paragraphs.map(paragraphHtml).join("") : compactBody(diff.paragraphs, options.context);
  return `<section class="redline">${fieldList}<div class="body">${body}</div></section>`;
}

/** The one style of {@link renderRedlinePage}, inline so the page stands alone; its CSP names it by digest. */
export const REDLINE_PAGE_STYLE = `
:root{color-scheme:light dark;--ins:#d8f5d0;--del:#fbd9d6;--ink:#1b1b1b;--muted:#5b5b5b;--bg:#fff}
@media (prefers-color-scheme:dark){:root{--ins:#1f4d1a;--del:#5c1d18;--ink:#ececec;--muted:#b0b0b0;--bg:#151515}}
body{margin:0 auto;max-width:46rem;padding:1.5rem;font:1.05rem/1.6 Georgia,serif;color:var(--ink);background:var(--bg)}
header p{color:var(--muted);font-family:system-ui,sans-serif;font-size:.9rem}
ins{background:var(--ins);text-decoration:none}del{background:var(--del)}
p.added,p.removed,p.changed{border-left:3px solid var(--muted);padding-left:.6rem}
p.moved{border-left-style:dashed}p.moved ins,p.moved del{background:none;text-decoration:none;font-style:italic}
small.move{color:var(--muted);font-family:system-ui,sans-serif}
dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;font-family:system-ui,sans-serif}
dt{font-weight:600}dd{margin:0}`;

/** A self-contained page (inline CSS, no script) around the fragment, for `?format=html`. */
export function renderRedlinePage(document: DiffDocument): string {
  const { from, to, diff } = document;
  const title = escapeHtml(to.title || document.articleUrl);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Redline: ${title} (version ${from.n} → ${to.n})</title><style>${REDLINE_PAGE_STYLE}</style></head>
<body><header><h1>${title}</h1>
<p><a href="${escapeHtml(document.articleUrl)}">${escapeHtml(document.articleUrl)}</a></p>
<p>Version ${from.n} (${escapeHtml(from.capturedAt)}) → version ${to.n} (${escapeHtml(to.capturedAt)}): ${escapeHtml(diff.summary)}</p>
<p>${escapeHtml(diffLabels(diff))}</p></header>
<main>${renderRedlineFragment(document)}</main></body></html>
`;
}
