import { describe, expect, it } from "vitest";
import { derivedHmacKey } from "./secrets";
import { clearedSessionCookie, openSession, sealSession, SESSION_COOKIE, sessionCookie, sessionCookieValue } from "./session";

const NOW = 1_800_000_000;
const key = await derivedHmacKey("test-admin-token", "redline session cookie v1");

describe("the session cookie's value", () => {
  it("opens to the id and expiry it was sealed with, before the expiry", async () => {
    const value = await sealSession(key, { id: "abc_DEF-123", expiresAt: NOW + 60 });
    expect(value).toMatch(/^abc_DEF-123\.1800000060\.[A-Za-z0-9_-]{43}$/);
    expect(await openSession(key, value, NOW)).toEqual({ id: "abc_DEF-123", expiresAt: NOW + 60 });
  });

  it("does not open at or after its signed expiry", async () => {
    const value = await sealSession(key, { id: "abc", expiresAt: NOW });
    expect(await openSession(key, value, NOW)).toBeNull();
    expect(await openSession(key, value, NOW + 1)).toBeNull();
  });

  it("does not open with a changed id or a later expiry: the signature covers both", async () => {
    const value = await sealSession(key, { id: "abc", expiresAt: NOW + 60 });
    const [, , signature] = value.split(".");
    expect(await openSession(key, `abd.${NOW + 60}.${signature}`, NOW)).toBeNull();
    expect(await openSession(key, `abc.${NOW + 99999}.${signature}`, NOW)).toBeNull();
  });

  it("does not open under a key derived from another admin token", async () => {
    const other = await derivedHmacKey("rotated-admin-token", "redline session cookie v1");
    expect(await openSession(other, await sealSession(key, { id: "abc", expiresAt: NOW + 60 }), NOW)).toBeNull();
  });

  it("does not open under the same secret's key for another purpose", async () => {
    const feedKey = await derivedHmacKey("test-admin-token", "redline feed token v1");
    expect(await openSession(feedKey, await sealSession(key, { id: "abc", expiresAt: NOW + 60 }), NOW)).toBeNull();
  });

  it.each(["", "abc", "abc.1.", `abc.${NOW + 60}.${"A".repeat(42)}`, `a b.${NOW + 60}.${"A".repeat(43)}`, `abc.-5.${"A".repeat(43)}`])("%j is not a session", async (value) => {
    expect(await openSession(key, value, NOW)).toBeNull();
  });
});

describe("the session Set-Cookie headers", () => {
  it("set a host-only, HttpOnly, Secure, SameSite=Strict cookie for Path=/ with Max-Age", () => {
    expect(sessionCookie("v", 43200)).toBe(`${SESSION_COOKIE}=v; Max-Age=43200; Path=/; HttpOnly; Secure; SameSite=Strict`);
    expect(SESSION_COOKIE.startsWith("__Host-")).toBe(true);
  });

  it("clear it with Max-Age=0 and the same attributes", () => {
    expect(clearedSessionCookie()).toBe(`${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict`);
  });
});

describe("the session cookie in a Cookie header", () => {
  it("is found among other cookies, its value kept whole", () => {
    expect(sessionCookieValue(`theme=dark; ${SESSION_COOKIE}=a.1.b=; other=x`)).toBe("a.1.b=");
  });

  it("is null when absent, including in a cookie whose name only ends with it", () => {
    expect(sessionCookieValue(undefined)).toBeNull();
    expect(sessionCookieValue(`x${SESSION_COOKIE}=a`)).toBeNull();
  });
});
