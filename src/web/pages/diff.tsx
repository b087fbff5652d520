import { raw } from "hono/html";
import type { FieldChange, FieldKind, ParagraphDiff, WordPart } from "../../model";
import { renderRedlineFragment, type DiffDocument, type VersionLabel } from "../../diffing/render";
import { FIELD_LABELS, moveNote } from "../../diffing/render/document";
import { articlePath, diffPath, Instant, KindTags, Significance, versionPath } from "../components";
import { Layout, type FeedRef } from "../layout";

export const DIFF_VIEWS = ["inline", "side"] as const;
export type DiffView = (typeof DIFF_VIEWS)[number];

/** One side of an edited paragraph: its own words plain, the other side's left out, the edit marked. */
function EditedSide({ words, side }: { words: WordPart[]; side: "before" | "after" }) {
  const marked = side === "before" ? "removed" : "added";
  return (
    <>
      {words.filter((part) => part.op === "equal" || part.op === marked).map((part) => {
        if (part.op === "equal") return part.text;
        return side === "before" ? <del>{part.text}</del> : <ins>{part.text}</ins>;
      })}
    </>
  );
}

function MoveNote({ paragraph }: { paragraph: ParagraphDiff }) {
  const note = moveNote(paragraph);
  return note === null ? null : <> <small class="move">({note})</small></>;
}

/** A row of the side-by-side view: the old paragraph left, the new one right, empty where there is none. */
function SideRow({ paragraph, labels }: { paragraph: ParagraphDiff; labels: [string, string] }) {
  const [before, after] = labels;
  switch (paragraph.op) {
    case "equal":
      return <tr><td data-label={before}>{paragraph.text}</td><td data-label={after}>{paragraph.text}</td></tr>;
    case "removed":
      return <tr class="removed"><td data-label={before}><del>{paragraph.text}</del><MoveNote paragraph={paragraph} /></td><td></td></tr>;
    case "added":
      return <tr class="added"><td></td><td data-label={after}><ins>{paragraph.text}</ins><MoveNote paragraph={paragraph} /></td></tr>;
    case "changed":
      return (
        <tr class="changed">
          <td data-label={before}><EditedSide words={paragraph.words} side="before" /></td>
          <td data-label={after}><EditedSide words={paragraph.words} side="after" /></td>
        </tr>
      );
  }
}

const sideLabel = (label: VersionLabel): string => `Version ${label.n}`;

/** Changed fields, then the body, as two aligned columns (old / new). */
function SideBySide({ document }: { document: DiffDocument }) {
  const labels: [string, string] = [sideLabel(document.from), sideLabel(document.to)];
  const fields = Object.entries(document.diff.fields) as Array<[FieldKind, FieldChange]>;
  return (
    <table class="side">
      <caption class="muted">Old text left, new text right; deleted words struck through, inserted words highlighted.</caption>
      <thead>
        <tr>
          <th scope="col">{labels[0]} (<Instant iso={document.from.capturedAt} />)</th>
          <th scope="col">{labels[1]} (<Instant iso={document.to.capturedAt} />)</th>
        </tr>
      </thead>
      <tbody>
        {fields.map(([kind, change]) => (
          <tr class="field">
            <td data-label={labels[0]}><strong>{FIELD_LABELS[kind]}:</strong> {change.before === null ? "(none)" : <del>{change.before}</del>}</td>
            <td data-label={labels[1]}><strong>{FIELD_LABELS[kind]}:</strong> {change.after === null ? "(none)" : <ins>{change.after}</ins>}</td>
          </tr>
        ))}
        {document.diff.paragraphs.map((paragraph) => <SideRow paragraph={paragraph} labels={labels} />)}
      </tbody>
    </table>
  );
}

function Stats({ stats }: { stats: DiffDocument["diff"]["stats"] }) {
  return (
    <dl class="facts">
      <dt>Words</dt>
      <dd>+{stats.wordsAdded} / −{stats.wordsRemoved}</dd>
      <dt>Paragraphs</dt>
      <dd>{stats.paragraphsAdded} added, {stats.paragraphsRemoved} removed, {stats.paragraphsChanged} edited, {stats.paragraphsMoved} moved</dd>
      <dt>Sentences</dt>
      <dd>{stats.sentencesAdded} added, {stats.sentencesRemoved} removed, {stats.sentencesEdited} edited, {stats.sentencesMoved} moved</dd>
    </dl>
  );
}

interface DiffPageProps {
  articleId: string;
  document: DiffDocument;
  view: DiffView;
  feed: FeedRef;
}

export function DiffPage({ articleId, document, view, feed }: DiffPageProps) {
  const { from, to, diff } = document;
  const here = diffPath(articleId, from.n, to.n);
  const headline = to.title || document.articleUrl;
  return (
    <Layout title={`${headline}: version ${from.n} → ${to.n}`} feed={feed}>
      <p class="meta"><a href={articlePath(articleId)}>← All versions and changes of this article</a></p>
      <h1>{headline}</h1>
      <p class="meta">
        <a href={versionPath(articleId, from.n)}>Version {from.n}</a> (<Instant iso={from.capturedAt} />) →{" "}
        <a href={versionPath(articleId, to.n)}>version {to.n}</a> (<Instant iso={to.capturedAt} />)
      </p>
      <p><strong>{diff.summary}</strong></p>
      <p class="meta"><Significance value={diff.significance} /></p>
      <KindTags kinds={diff.kinds} />
      <Stats stats={diff.stats} />
      <nav class="view-toggle" aria-label="Diff view">
        <a href={here} aria-current={view === "inline" ? "page" : undefined}>Inline redline</a>
        <a href={`${here}?view=side`} aria-current={view === "side" ? "page" : undefined}>Side by side</a>
      </nav>
      <p class="meta">Image: <a href={`${here}/image.svg`}>SVG</a> · <a href={`${here}/image.png`}>PNG</a></p>
      {/* The fragment comes from the escaping renderer (src/diffing/render/html.ts): all article text in it is escaped. */}
      {view === "inline" ? raw(renderRedlineFragment(document)) : <SideBySide document={document} />}
    </Layout>
  );
}
