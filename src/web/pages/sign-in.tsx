import { ALL_CHANGES_FEED, Layout } from "../layout";

interface SignInPageProps {
  /** Where to go once signed in (already checked to be a path on this site). */
  next: string;
  /** Why the last attempt failed, shown beside the field; null on first view. */
  error: string | null;
  /** Cloudflare Access is configured: its users are signed in by Access itself. */
  access: boolean;
  /** ADMIN_TOKEN is set; without it there is no token to sign in with. */
  tokenSignIn: boolean;
}

/** The admin token exchanged for a session cookie: a plain form, no script. */
export function SignInPage({ next, error, access, tokenSignIn }: SignInPageProps) {
  return (
    <Layout title="Sign in" feed={ALL_CHANGES_FEED}>
      <h1>Sign in</h1>
      {access ? <p>This Redline is behind Cloudflare Access: signing in to Access signs you in here, as the email Access knows you by.</p> : null}
      {tokenSignIn ? (
        <form method="post" action="/sign-in" class="sign-in">
          <input type="hidden" name="next" value={next} />
          <p>
            <label for="token">Admin token</label>{" "}
            <input type="password" id="token" name="token" required autocomplete="current-password" aria-invalid={error ? "true" : undefined} aria-describedby={error ? "token-error" : undefined} />
            {error ? <span class="error" id="token-error"> {error}</span> : null}
          </p>
          <p><button type="submit">Sign in</button></p>
          <p>The session lasts 12 hours, or until you sign out.</p>
        </form>
      ) : (
        <p>Signing in with the admin token is off: the ADMIN_TOKEN secret is not configured on this Worker.</p>
      )}
    </Layout>
  );
}
