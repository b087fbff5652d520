import { describe, expect, it } from "vitest";
import { accessToken, AUD, TEAM_DOMAIN, teamKey } from "../../test/access-keys";
import { LEEWAY_SECONDS, verifyAccessToken } from "./access-jwt";
import type { AccessSettings } from "./settings";

const NOW = 1_800_000_000;
const settings: AccessSettings = { teamDomain: TEAM_DOMAIN, audience: AUD, adminEmails: new Set() };
const [key, otherKey] = await Promise.all([teamKey("kid-1"), teamKey("kid-2")]);

const base64url = (text: string) => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

describe("an Access application token", () => {
  it("holds when signed by a team key, for this AUD and team, within its times: its email, lower-cased", async () => {
    const token = await accessToken(key, NOW, { email: "Reader@Example.org" });
    expect(await verifyAccessToken(token, [otherKey.publicJwk, key.publicJwk], settings, NOW)).toEqual({ ok: true, email: "reader@example.org" });
  });

  it("holds up to the leeway past its exp and before its nbf, not beyond", async () => {
    const token = await accessToken(key, NOW, { exp: NOW, nbf: NOW });
    expect((await verifyAccessToken(token, [key.publicJwk], settings, NOW + LEEWAY_SECONDS - 1)).ok).toBe(true);
    expect(await verifyAccessToken(token, [key.publicJwk], settings, NOW + LEEWAY_SECONDS)).toEqual({ ok: false, unknownKid: false, reason: "expired" });
    expect((await verifyAccessToken(token, [key.publicJwk], settings, NOW - LEEWAY_SECONDS + 1)).ok).toBe(true);
    expect(await verifyAccessToken(token, [key.publicJwk], settings, NOW - LEEWAY_SECONDS - 1)).toEqual({ ok: false, unknownKid: false, reason: "not yet valid" });
  });

  it("is refused without an exp", async () => {
    const token = await accessToken(key, NOW, { exp: undefined });
    expect(await verifyAccessToken(token, [key.publicJwk], settings, NOW)).toEqual({ ok: false, unknownKid: false, reason: "expired" });
  });

  it("is refused for another application's AUD", async () => {
    const token = await accessToken(key, NOW, { aud: ["another-application"] });
    expect(await verifyAccessToken(token, [key.publicJwk], settings, NOW)).toEqual({ ok: false, unknownKid: false, reason: "JwtTokenAudience" });
  });

  it("is refused from another team", async () => {
    const token = await accessToken(key, NOW, { iss: "https://evil.cloudflareaccess.com" });
    expect(await verifyAccessToken(token, [key.publicJwk], settings, NOW)).toEqual({ ok: false, unknownKid: false, reason: "JwtTokenIssuer" });
  });

  it("names an unknown kid when no key has it, so the keys can be fetched again", async () => {
    expect(await verifyAccessToken(await accessToken(otherKey, NOW), [key.publicJwk], settings, NOW)).toEqual({ ok: false, unknownKid: true });
  });

  it("is refused when signed by another key under a known kid", async () => {
    const forged = await accessToken({ ...otherKey, privateJwk: { ...otherKey.privateJwk, kid: "kid-1" } as JsonWebKey }, NOW);
    expect(await verifyAccessToken(forged, [key.publicJwk], settings, NOW)).toEqual({ ok: false, unknownKid: false, reason: "JwtTokenSignatureMismatched" });
  });

  it("is refused when its payload was changed after signing", async () => {
    const [header, , signature] = (await accessToken(key, NOW)).split(".");
    const payload = base64url(JSON.stringify({ aud: [AUD], email: "admin@example.org", exp: NOW + 300, iss: `https://${TEAM_DOMAIN}` }));
    expect(await verifyAccessToken(`${header}.${payload}.${signature}`, [key.publicJwk], settings, NOW)).toEqual({ ok: false, unknownKid: false, reason: "JwtTokenSignatureMismatched" });
  });

  it.each([
    ["none", ""],
    ["HS256", "c2lnbmF0dXJl"],
  ])("with alg %s is refused before any key is used", async (alg, signature) => {
    const header = base64url(JSON.stringify({ alg, kid: "kid-1", typ: "JWT" }));
    const payload = base64url(JSON.stringify({ aud: [AUD], email: "admin@example.org", exp: NOW + 300, iss: `https://${TEAM_DOMAIN}` }));
    expect(await verifyAccessToken(`${header}.${payload}.${signature}`, [key.publicJwk], settings, NOW)).toEqual({ ok: false, unknownKid: false, reason: `alg ${alg} is not RS256` });
  });

  it("without an email (a service token) is refused", async () => {
    const token = await accessToken(key, NOW, { email: undefined, common_name: "ci.access" });
    expect(await verifyAccessToken(token, [key.publicJwk], settings, NOW)).toEqual({ ok: false, unknownKid: false, reason: "no email: a service token, which reads nothing here" });
  });

  it.each([["not-a-jwt"], ["a.b.c"]])("%j is not a JWT", async (token) => {
    expect(await verifyAccessToken(token, [key.publicJwk], settings, NOW)).toEqual({ ok: false, unknownKid: false, reason: "not a JWT" });
  });
});
