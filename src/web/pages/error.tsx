import { problemTitle } from "../../api/problem";
import { ALL_CHANGES_FEED, Layout } from "../layout";

/** The HTML face of a problem document: the same status and detail the API would send. */
export function ErrorPage({ status, detail }: { status: number; detail: string }) {
  return (
    <Layout title={problemTitle(status)} feed={ALL_CHANGES_FEED}>
      <h1>{status} {problemTitle(status)}</h1>
      <p>{detail}</p>
      <p><a href="/">Back to recent changes</a></p>
    </Layout>
  );
}
