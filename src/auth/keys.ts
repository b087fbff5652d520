/**
 * The two HMAC keys ADMIN_TOKEN yields, derived once per isolate (HKDF and importKey cost a
 * little on every request otherwise).
 */
import { FEED_TOKEN_PURPOSE } from "./feed-tokens";
import { derivedHmacKey } from "./secrets";

const SESSION_PURPOSE = "redline session cookie v1";

const derived = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string, purpose: string): Promise<CryptoKey> {
  const id = `${purpose}\n${secret}`;
  let key = derived.get(id);
  if (!key) {
    // One secret at a time: a rotated ADMIN_TOKEN's old keys are dropped.
    if (derived.size >= 4) derived.clear();
    key = derivedHmacKey(secret, purpose);
    derived.set(id, key);
  }
  return key;
}

export const sessionKey = (adminToken: string): Promise<CryptoKey> => keyFor(adminToken, SESSION_PURPOSE);
export const feedTokenKey = (adminToken: string): Promise<CryptoKey> => keyFor(adminToken, FEED_TOKEN_PURPOSE);
