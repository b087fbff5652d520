import type { ChangeHit, SearchField, SearchResults, VersionHit } from "../../api/search";
import type { SnippetPart } from "../../search/text";
import { articlePath, Instant, versionPath } from "../components";
import { ALL_CHANGES_FEED, Layout } from "../layout";
import type { SourceChoice } from "./home";

/** The form's values as the request gave them ("" when absent), so a search, right or wrong, comes back as typed. */
export type SearchFormValues = Record<SearchField, string>;

/** The parameter a search could not use, shown beside its field. */
export interface SearchFormError {
  field: SearchField;
  message: string;
}

const SCOPES = [
  { value: "text", label: "every version's text" },
  { value: "added", label: "what a change added" },
  { value: "removed", label: "what a change removed" },
] as const;

const SORTS = [
  { value: "relevance", label: "best match first" },
  { value: "time", label: "newest first" },
] as const;

const siteOf = (url: string): string => new URL(url).hostname;

/** The snippet's parts as text, the matches in <mark>: JSX escapes every part, so a page's markup shows as characters. */
function Snippet({ parts }: { parts: SnippetPart[] }) {
  return <p class="snippet">{parts.map((part) => (part.match ? <mark>{part.text}</mark> : part.text))}</p>;
}

function VersionResult({ hit }: { hit: VersionHit }) {
  return (
    <li>
      <h2><a href={versionPath(hit.articleId, hit.n)}>{hit.title || hit.url}</a></h2>
      <p class="meta">
        {siteOf(hit.url)} · version {hit.n}, captured <Instant iso={hit.capturedAt} /> · <a href={articlePath(hit.articleId)}>all versions</a>
      </p>
      <Snippet parts={hit.snippet} />
    </li>
  );
}

function ChangeResult({ hit, scope }: { hit: ChangeHit; scope: "added" | "removed" }) {
  return (
    <li>
      <h2><a href={hit.redline}>{hit.title || hit.url}</a></h2>
      <p class="meta">
        {siteOf(hit.url)} · change {hit.seq}, version {hit.from} → {hit.to}, detected <Instant iso={hit.detectedAt} /> · <a href={articlePath(hit.articleId)}>the article</a>
      </p>
      <p class="muted">{scope === "removed" ? "Removed:" : "Added:"}</p>
      <Snippet parts={hit.snippet} />
    </li>
  );
}

/** A field's error paragraph, its id for the field's aria-describedby. */
function FieldError({ field, error }: { field: SearchField; error: SearchFormError | null }) {
  return error?.field === field ? <p class="field-error" id={`search-${field}-error`}>{error.message}</p> : null;
}

const invalid = (field: SearchField, error: SearchFormError | null) =>
  error?.field === field ? { "aria-invalid": "true", "aria-describedby": `search-${field}-error` } : {};

function SearchForm({ values, sources, error }: { values: SearchFormValues; sources: SourceChoice[]; error: SearchFormError | null }) {
  return (
    <form class="filters" method="get" action="/search" role="search" aria-label="Search with filters">
      <label>
        Words{" "}
        <input type="search" name="q" value={values.q} required maxlength={500} placeholder='five-fold, "cost-sharing talks", negotiat*, 분담금' {...invalid("q", error)} />
      </label>
      <FieldError field="q" error={error} />
      <label>
        In{" "}
        <select name="in" {...invalid("in", error)}>
          {SCOPES.map((scope) => <option value={scope.value} selected={(values.in || "text") === scope.value}>{scope.label}</option>)}
        </select>
      </label>
      <FieldError field="in" error={error} />
      <label>
        Site{" "}
        <input type="text" name="site" placeholder="english.hani.co.kr" value={values.site} />
      </label>
      {sources.length === 0 ? null : (
        <label>
          Found by{" "}
          <select name="source" {...invalid("source", error)}>
            <option value="" selected={values.source === ""}>any source or by hand</option>
            {sources.map((source) => <option value={source.id} selected={values.source === source.id}>{source.name}</option>)}
          </select>
        </label>
      )}
      <FieldError field="source" error={error} />
      <label>
        From{" "}
        <input type="text" name="from" placeholder="2019-11-01" value={values.from} {...invalid("from", error)} />
      </label>
      <FieldError field="from" error={error} />
      <label>
        To{" "}
        <input type="text" name="to" placeholder="2019-12-31T23:59:59Z" value={values.to} {...invalid("to", error)} />
      </label>
      <FieldError field="to" error={error} />
      <label>
        Sort{" "}
        <select name="sort" {...invalid("sort", error)}>
          {SORTS.map((sort) => <option value={sort.value} selected={(values.sort || "relevance") === sort.value}>{sort.label}</option>)}
        </select>
      </label>
      <FieldError field="sort" error={error} />
      {values.limit === "" ? null : <input type="hidden" name="limit" value={values.limit} />}
      <FieldError field="limit" error={error} />
      <FieldError field="cursor" error={error} />
      <button type="submit">Search</button>
    </form>
  );
}

interface SearchPageProps {
  values: SearchFormValues;
  sources: SourceChoice[];
  /** Null before a search (no `q`) and when the request had an error. */
  results: SearchResults | null;
  error: SearchFormError | null;
  /** Query string of the next page, or null on the last page. */
  nextQuery: string | null;
}

/** `/search`: the form with the API's filters, and one page of hits. No script. */
export function SearchPage({ values, sources, results, error, nextQuery }: SearchPageProps) {
  return (
    <Layout title={values.q ? `Search: ${values.q}` : "Search"} feed={ALL_CHANGES_FEED}>
      <h1>Search every captured version</h1>
      <p class="muted">
        Words match whole (<code>negotiat*</code> for a prefix, <code>"a phrase"</code> in double quotes, <code>OR</code>, <code>NOT</code>); Korean matches
        any run of two syllables or more. "What a change added" and "what a change removed" find edits: the sentences it put in or took out, without the
        words it kept.
      </p>
      <SearchForm values={values} sources={sources} error={error} />
      {results === null ? null : results.items.length === 0 ? (
        <p>Nothing found{values.cursor ? " beyond the previous page" : ""}.</p>
      ) : (
        <ol class="changes search-results">
          {results.scope === "text"
            ? results.items.map((hit) => <VersionResult hit={hit} />)
            : results.items.map((hit) => <ChangeResult hit={hit} scope={results.scope} />)}
        </ol>
      )}
      {nextQuery === null ? null : (
        <nav class="pager" aria-label="Pages">
          <a href={`/search?${nextQuery}`} rel="next">{values.sort === "time" ? "Older results" : "More results"}</a>
        </nav>
      )}
    </Layout>
  );
}
