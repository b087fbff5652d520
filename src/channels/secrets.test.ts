import { describe, expect, it } from "vitest";
import { importSecretKey, keyringFrom, open, seal, SealedSecretError, sealedKeyId, SecretsKeyError, type Keyring } from "./secrets";

const KEY_A = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i)));
const KEY_B = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => 255 - i)));
const ROW = "6f1c2a7e-5d0b-4c3e-9a41-2b8f0c6d9e13";
const OTHER_ROW = "00000000-0000-4000-8000-000000000000";
const SLACK_URL = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX";

async function keyring(current: string, previous?: string): Promise<Keyring> {
  return (await keyringFrom({ SECRETS_KEY: current, ...(previous ? { SECRETS_KEY_PREVIOUS: previous } : {}) }))!;
}

/** Flips one bit of the ciphertext part of a sealed value. */
function tampered(sealed: string): string {
  const parts = sealed.split(".");
  const last = parts[3]!;
  const flipped = last[0] === "A" ? "B" : "A";
  return [...parts.slice(0, 3), flipped + last.slice(1)].join(".");
}

describe("seal and open", () => {
  it("opens what it sealed, for the same row, including Korean text", async () => {
    const ring = await keyring(KEY_A);
    for (const secret of [SLACK_URL, "연합뉴스 토큰", JSON.stringify({ identifier: "a.bsky.social", password: "app-pass" })]) {
      expect(await open(ring, ROW, await seal(ring, ROW, secret))).toBe(secret);
    }
  });

  it("writes rs1.<key id>.<iv>.<ciphertext> with a fresh 96-bit IV each time and no plaintext", async () => {
    const ring = await keyring(KEY_A);
    const first = await seal(ring, ROW, SLACK_URL);
    const second = await seal(ring, ROW, SLACK_URL);
    const [format, keyId, iv, ciphertext] = first.split(".");
    expect(format).toBe("rs1");
    expect(keyId).toBe(ring.current.id);
    expect(keyId).toMatch(/^[0-9a-f]{8}$/);
    // 12 bytes in unpadded base64url; the ciphertext is the plaintext's length plus the 16-byte tag.
    expect(iv).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(Math.ceil(((SLACK_URL.length + 16) * 4) / 3)).toBe(ciphertext!.length);
    expect(second).not.toBe(first);
    expect(first).not.toContain("slack");
    expect(sealedKeyId(first)).toBe(ring.current.id);
  });

  it("refuses a tampered ciphertext", async () => {
    const ring = await keyring(KEY_A);
    await expect(open(ring, ROW, tampered(await seal(ring, ROW, SLACK_URL)))).rejects.toThrow(SealedSecretError);
  });

  it("refuses a value sealed for another subscription (the id is the additional data)", async () => {
    const ring = await keyring(KEY_A);
    await expect(open(ring, OTHER_ROW, await seal(ring, ROW, SLACK_URL))).rejects.toThrow(/another subscription/);
  });

  it("refuses a value sealed under a key the keyring does not hold, naming its key id", async () => {
    const sealed = await seal(await keyring(KEY_A), ROW, SLACK_URL);
    const other = await keyring(KEY_B);
    await expect(open(other, ROW, sealed)).rejects.toThrow(`sealed under key ${sealedKeyId(sealed)}`);
  });

  it("refuses a value under a wrong key that claims the right key id", async () => {
    const ring = await keyring(KEY_A);
    const sealed = await seal(await keyring(KEY_B), ROW, SLACK_URL);
    const relabelled = sealed.replace(/^rs1\.[0-9a-f]{8}\./u, `rs1.${ring.current.id}.`);
    await expect(open(ring, ROW, relabelled)).rejects.toThrow(/does not authenticate/);
  });

  it("opens a value sealed under SECRETS_KEY_PREVIOUS after a rotation, and seals under the new key", async () => {
    const sealed = await seal(await keyring(KEY_A), ROW, SLACK_URL);
    const rotated = await keyring(KEY_B, KEY_A);
    expect(await open(rotated, ROW, sealed)).toBe(SLACK_URL);
    expect(sealedKeyId(await seal(rotated, ROW, SLACK_URL))).toBe(rotated.current.id);
    expect(rotated.current.id).not.toBe(sealedKeyId(sealed));
  });

  it("refuses values that are not in the format", async () => {
    const ring = await keyring(KEY_A);
    for (const value of ["plaintext-secret", "rs2.abcd1234.AAAA.BBBB", "rs1.abcd1234.AAAA"]) {
      await expect(open(ring, ROW, value)).rejects.toThrow(/not in the rs1 format/);
    }
    expect(sealedKeyId("plaintext-secret")).toBeNull();
  });
});

describe("the key secrets", () => {
  it("no SECRETS_KEY is no keyring", async () => {
    expect(await keyringFrom({})).toBeNull();
  });

  it("refuses a key that is not 32 bytes of base64, naming the secret", async () => {
    await expect(importSecretKey("SECRETS_KEY", btoa("too short"))).rejects.toThrow("SECRETS_KEY must be 32 bytes in base64 (e.g. `openssl rand -base64 32`), not 9.");
    await expect(importSecretKey("SECRETS_KEY_PREVIOUS", "not base64 at all!")).rejects.toThrow(SecretsKeyError);
    await expect(keyringFrom({ SECRETS_KEY: KEY_A, SECRETS_KEY_PREVIOUS: "%%" })).rejects.toThrow("SECRETS_KEY_PREVIOUS is not base64.");
  });
});
