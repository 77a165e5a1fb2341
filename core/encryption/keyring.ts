import {
  createCipheriv, createDecipheriv, createHash, createHmac, createSecretKey, hkdfSync,
  randomBytes, type KeyObject,
} from 'node:crypto';

/** The tag that starts every encrypted value, so a plain value from before is told apart. */
const prefix = 'enc1';
const ivBytes = 12;
const tagBytes = 16;

export interface EncryptionKey {
  /** A short, stable name for the key, stored with every value it encrypts. */
  id: string;
  secret: Buffer;
}

/**
 * Reads a key as the config gives it: 32 bytes in base64, optionally named `id:base64`.
 * Without a name, the id is taken from a hash of the key, so it is the same wherever the
 * key is configured.
 */
export function parseKey(text: string): EncryptionKey {
  const [named, encoded] = text.includes(':') ? text.split(':', 2) : [undefined, text];
  const secret = Buffer.from(encoded.trim(), 'base64');
  if (secret.length !== 32) throw new Error('An encryption key must be 32 bytes, in base64');

  const id = named ?? createHash('sha256').update(secret).digest('hex').slice(0, 8);
  if (!/^[\w-]{1,32}$/.test(id)) throw new Error('A key id may hold letters, digits, _ and -');
  return { id, secret };
}

export function generateKeyText(): string {
  return randomBytes(32).toString('base64');
}

/**
 * AES-256-GCM with a fresh IV per value; each value carries the id of its key, so that old
 * keys keep decrypting while the current one encrypts. Addresses also get a keyed hash
 * (HMAC-SHA256 under a key derived from the current one), so they can be looked up without
 * being stored in the clear.
 */
export class Keyring {
  readonly current: EncryptionKey;
  readonly #keys: Map<string, Buffer>;
  // Key objects are made once: made from bytes on every call, they cost more than the cipher.
  readonly #cipherKeys: Map<string, KeyObject>;
  readonly #hashKeys: KeyObject[];
  readonly #derived = new Map<string, Buffer[]>();

  constructor(current: EncryptionKey, previous: EncryptionKey[] = []) {
    this.current = current;
    this.#keys = new Map([...previous, current].map((key) => [key.id, key.secret]));
    this.#cipherKeys = new Map([...this.#keys].map(([id, secret]) =>
      [id, createSecretKey(secret)]));
    this.#hashKeys = [current, ...previous].map((key) =>
      createSecretKey(Buffer.from(hkdfSync('sha256', key.secret, '', 'address-hash', 32))));
  }

  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  encrypt(plain: Buffer): string {
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', this.#cipherKeys.get(this.current.id)!, iv);
    const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return `${prefix}:${this.current.id}:${iv.toString('base64')}:${sealed.toString('base64')}`;
  }

  decrypt(stored: string): Buffer {
    const [tag, keyId, iv, sealed] = stored.split(':');
    if (tag !== prefix || !sealed) return Buffer.from(stored, 'utf8');

    const secret = this.#cipherKeys.get(keyId);
    if (!secret) throw new UnknownKeyError(keyId);

    const bytes = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', secret, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - tagBytes)),
      decipher.final()]);
  }

  /** Whether a stored value is encrypted under the current key. */
  isCurrent(stored: string): boolean {
    return stored.startsWith(`${prefix}:${this.current.id}:`);
  }

  /** A keyed hash of an address, for finding a recipient by the number a reply came from. */
  hash(value: string): string {
    return createHmac('sha256', this.#hashKeys[0]).update(value).digest('base64url');
  }

  /**
   * Keys for another use of the same secret (signing links), derived from every key, current
   * first: what was signed before a rotation still verifies until the old key is dropped.
   */
  deriveKeys(purpose: string): Buffer[] {
    let keys = this.#derived.get(purpose);
    if (!keys) {
      keys = [this.current.secret, ...this.#previousSecrets()].map((secret) =>
        Buffer.from(hkdfSync('sha256', secret, '', purpose, 32)));
      this.#derived.set(purpose, keys);
    }
    return keys;
  }

  #previousSecrets(): Buffer[] {
    return [...this.#keys].filter(([id]) => id !== this.current.id).map(([, secret]) => secret);
  }

  /**
   * The hashes of an address under every key, current first: until a rotation has
   * re-encrypted every row, some are still hashed under an older key.
   */
  hashes(value: string): string[] {
    return this.#hashKeys.map((key) =>
      createHmac('sha256', key).update(value).digest('base64url'));
  }
}

export class UnknownKeyError extends Error {
  readonly keyId: string;

  constructor(keyId: string) {
    super(`Data is encrypted under key "${keyId}", which is not configured`);
    this.name = 'UnknownKeyError';
    this.keyId = keyId;
  }
}
