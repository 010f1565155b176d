import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { StorageError } from './migrations.ts';

/** The format tag leads every sealed value, so a later key or algorithm can be told apart from this one. */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts secrets before they are written (AES-256-GCM, TOKEN_ENCRYPTION_KEY). Each value gets its own
 * random 96-bit IV, the GCM tag is stored beside it, and the row's key is bound in as additional data: a
 * sealed value copied into another workspace's row does not open there. A database dump alone reveals no
 * token; with the key, everything opens, so the key never goes into the database.
 *
 * Sealed text: `v1.<iv>.<tag>.<ciphertext>`, each part base64url.
 */
export class TokenCipher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new StorageError('TOKEN_ENCRYPTION_KEY must be 32 bytes (AES-256).');
    // A copy: the caller's buffer may be zeroed or reused.
    this.key = Buffer.from(key);
  }

  seal(plaintext: string, boundTo: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** Throws a StorageError (never the sealed text or the key) when the value was not sealed with this key for `boundTo`. */
  open(sealed: string, boundTo: string): string {
    const [version, iv, tag, body, extra] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || body === undefined || extra !== undefined) {
      throw new StorageError(`A stored secret for ${boundTo} is not in a format this version reads.`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(boundTo, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new StorageError(`The stored secret for ${boundTo} cannot be decrypted with TOKEN_ENCRYPTION_KEY (a different key, or the row was altered).`);
    }
  }
}
