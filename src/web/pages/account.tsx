import type { User } from "../../auth/user";
import type { FeedTokenRecord } from "../../storage/access";
import { Instant } from "../components";
import { ALL_CHANGES_FEED, Layout } from "../layout";

/** A token just created: shown this once, with a feed URL that carries it. */
export interface NewFeedToken {
  name: string;
  token: string;
  feedUrl: string;
}

interface AccountPageProps {
  user: User;
  tokens: FeedTokenRecord[];
  created: NewFeedToken | null;
  /** Why the name was refused, shown beside the field. */
  nameError: string | null;
  /** Feed tokens need ADMIN_TOKEN (their key derives from it). */
  tokensAvailable: boolean;
}

const instant = (ms: number) => <Instant iso={new Date(ms).toISOString()} />;

/** Who is signed in, and their feed tokens: list, create, revoke. Forms only, no script. */
export function AccountPage({ user, tokens, created, nameError, tokensAvailable }: AccountPageProps) {
  return (
    <Layout title="Account" feed={ALL_CHANGES_FEED}>
      <h1>Account</h1>
      <p>
        Signed in as <strong>{user.name}</strong> ({user.admin ? "admin" : "reader"}, {user.via === "access" ? "through Cloudflare Access" : user.via === "session" ? "with the admin token" : "with the bearer token"}).
      </p>
      <h2>Feed tokens</h2>
      <p>A feed reader cannot sign in: give it a feed URL ending in <code>?token=…</code>. Each token reads every feed until you revoke it.</p>
      {created ? (
        <section class="created" aria-labelledby="created-heading">
          <h3 id="created-heading">Token “{created.name}” created</h3>
          <p>Copy it now: it is not stored and will not be shown again.</p>
          <p><code>{created.token}</code></p>
          <p>For example: <code>{created.feedUrl}</code></p>
        </section>
      ) : null}
      {tokens.length === 0 ? (
        <p>No feed tokens yet.</p>
      ) : (
        <table class="tokens">
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Revoke</th></tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr>
                <td>{token.forPages ? `${token.name} (in the feed links of the pages you view)` : token.name}</td>
                <td>{instant(token.createdAt)}</td>
                <td>{token.lastUsedAt === null ? "never" : instant(token.lastUsedAt)}</td>
                <td>
                  <form method="post" action={`/account/feed-tokens/${token.id}/revoke`}>
                    <button type="submit" aria-label={`Revoke ${token.name}`}>Revoke</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {tokensAvailable ? (
        <form method="post" action="/account/feed-tokens">
          <p>
            <label for="name">New token’s name</label>{" "}
            <input type="text" id="name" name="name" required maxlength={100} placeholder="e.g. NetNewsWire" aria-invalid={nameError ? "true" : undefined} aria-describedby={nameError ? "name-error" : undefined} />
            {nameError ? <span class="error" id="name-error"> {nameError}</span> : null}{" "}
            <button type="submit">Create token</button>
          </p>
        </form>
      ) : (
        <p>Feed tokens are off: their key derives from the ADMIN_TOKEN secret, which is not configured on this Worker.</p>
      )}
    </Layout>
  );
}
