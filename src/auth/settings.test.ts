import { describe, expect, it } from "vitest";
import { accessSettings, bearerToken, nextPath, publicRead } from "./settings";

describe("PUBLIC_READ", () => {
  it.each([[undefined], [""], ["true"], [" TRUE "]])("%j keeps reads public", (value) => {
    expect(publicRead({ PUBLIC_READ: value })).toBe(true);
  });

  it.each([["false"], ["0"], ["no"], ["ture"]])("%j makes the archive private (a typo fails closed)", (value) => {
    expect(publicRead({ PUBLIC_READ: value })).toBe(false);
  });
});

describe("the Cloudflare Access settings", () => {
  it("need both the team domain and the AUD tag", () => {
    expect(accessSettings({ ACCESS_TEAM_DOMAIN: "team.cloudflareaccess.com" })).toBeNull();
    expect(accessSettings({ ACCESS_AUD: "aud" })).toBeNull();
  });

  it("take the team domain with or without its scheme, and the admin emails lower-cased", () => {
    const settings = accessSettings({ ACCESS_TEAM_DOMAIN: "https://team.cloudflareaccess.com/", ACCESS_AUD: " aud-tag ", ADMIN_EMAILS: "Ed@Example.org, ,ops@example.org" });
    expect(settings).toEqual({ teamDomain: "team.cloudflareaccess.com", audience: "aud-tag", adminEmails: new Set(["ed@example.org", "ops@example.org"]) });
  });

  it("make no admins without ADMIN_EMAILS", () => {
    expect(accessSettings({ ACCESS_TEAM_DOMAIN: "team.cloudflareaccess.com", ACCESS_AUD: "aud" })?.adminEmails.size).toBe(0);
  });
});

describe("where sign-in goes next", () => {
  it("is a path on this site, query kept", () => {
    expect(nextPath("/sources?cursor=x")).toBe("/sources?cursor=x");
  });

  it.each([[undefined], [""], ["https://evil.example/"], ["//evil.example/"], ["/\\evil.example"], ["sources"], ["/a b"]])("is home for %j", (raw) => {
    expect(nextPath(raw)).toBe("/");
  });
});

describe("the bearer token of an Authorization header", () => {
  it("is the token after Bearer, trimmed, whatever the scheme's case", () => {
    expect(bearerToken("bearer  abc ")).toBe("abc");
  });

  it("is null for another scheme or none", () => {
    expect(bearerToken("Basic YTpi")).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
