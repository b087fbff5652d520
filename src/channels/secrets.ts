/**
 * Channel secrets encrypted at rest: AES-GCM-256 under the `SECRETS_KEY` Worker secret (base64
 * of 32 random bytes), a random 96-bit IV per value, and the subscription id as additional
 * authenticated data, so a sealed value copied onto another row does not open there.
 *
 * A sealed value reads `rs1.<key id>.<iv>.<ciphertext+tag>` (base64url parts). The key id is the
 * first 8 hex digits of the key's SHA-256: to rotate, set the new key as SECRETS_KEY and the old
 * one as SECRETS_KEY_PREVIOUS; values sealed under the old key still open, and are sealed again
 * under the new one the first time a delivery opens them (src/channels/queue.ts).
 */
import { toHex } from "../digest";

/** The format's version: a future change of cipher or layout gets a new prefix, and both open during a migration. */
const FORMAT = "rs1";
const KEY_BYTES = 32;
const IV_BYTES = 12;

export interface SecretKey {
  id: string;
  key: CryptoKey;
}

/** The key that seals (current) and every key that may open. */
export interface Keyring {
  current: SecretKey;
  previous: SecretKey | null;
}

export class SecretsKeyError extends Error {}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text.replace(/-/gu, "+").replace(/_/gu, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/gu, "-").replace(/\//gu, "_").replace(/=+$/u, "");
}

/** Imports one key secret; `name` goes into the error (the operator must know which secret is wrong). */
export async function importSecretKey(name: string, base64: string): Promise<SecretKey> {
  let raw: Uint8Array;
  try {
    raw = fromBase64(base64.trim());
  } catch {
    throw new SecretsKeyError(`${name} is not base64.`);
  }
  if (raw.length !== KEY_BYTES) throw new SecretsKeyError(`${name} must be ${KEY_BYTES} bytes in base64 (e.g. \`openssl rand -base64 32\`), not ${raw.length}.`);
  const id = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", raw))).slice(0, 8);
  const key = await crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  return { id, key };
}

/** The keyring from the Worker's secrets, or null when SECRETS_KEY is not set. */
export async function keyringFrom(env: { SECRETS_KEY?: string; SECRETS_KEY_PREVIOUS?: string }): Promise<Keyring | null> {
  if (!env.SECRETS_KEY) return null;
  const current = await importSecretKey("SECRETS_KEY", env.SECRETS_KEY);
  const previous = env.SECRETS_KEY_PREVIOUS ? await importSecretKey("SECRETS_KEY_PREVIOUS", env.SECRETS_KEY_PREVIOUS) : null;
  return { current, previous };
}

const additionalData = (subscriptionId: string) => new TextEncoder().encode(`${FORMAT}:subscription:${subscriptionId}`);

/** Seals `plaintext` for the row `subscriptionId` under the current key. */
export async function seal(keyring: Keyring, subscriptionId: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(subscriptionId) },
    keyring.current.key,
    new TextEncoder().encode(plaintext),
  );
  return [FORMAT, keyring.current.id, toBase64Url(iv), toBase64Url(new Uint8Array(ciphertext))].join(".");
}

/** Why a sealed value did not open: a format this code does not know, a key it does not hold, or a value that fails authentication. */
export class SealedSecretError extends Error {}

/** The key id a sealed value names (whether it needs sealing again after a rotation), or null for a value not in the format. */
export function sealedKeyId(sealed: string): string | null {
  const parts = sealed.split(".");
  return parts.length === 4 && parts[0] === FORMAT ? parts[1]! : null;
}

/**
 * Opens a value sealed for `subscriptionId`. Refuses (SealedSecretError) a value tampered with,
 * sealed for another row, or sealed under a key the keyring does not hold.
 */
export async function open(keyring: Keyring, subscriptionId: string, sealed: string): Promise<string> {
  const [format, keyId, iv, ciphertext, ...rest] = sealed.split(".");
  if (format !== FORMAT || !keyId || !iv || !ciphertext || rest.length > 0) throw new SealedSecretError("The sealed secret is not in the rs1 format.");
  const key = [keyring.current, keyring.previous].find((candidate) => candidate?.id === keyId);
  if (!key) throw new SealedSecretError(`The secret was sealed under key ${keyId}, which neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS is.`);
  try {
    const plaintext = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(iv), additionalData: additionalData(subscriptionId) }, key.key, fromBase64(ciphertext));
    return new TextDecoder().decode(plaintext);
  } catch {
    throw new SealedSecretError("The sealed secret does not authenticate: altered, or sealed for another subscription.");
  }
}
