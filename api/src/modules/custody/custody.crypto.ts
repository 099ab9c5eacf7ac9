import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Hex } from 'viem';

/** An account key as stored: AES-256-GCM ciphertext of the 32 key bytes, its IV and tag. */
export interface SealedKey {
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
}

/** Current format of sealed keys (stored in account_keys.key_version). */
export const KEY_VERSION = 1;

/** 32-byte AES key from the configured secret (HKDF-SHA256, fixed info so other uses get other keys). */
function dataKey(secret: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), 'opencep-custody-v1', 32),
  );
}

/** Encrypts a private key; `userId` is bound as additional authenticated data. */
export function sealKey(privateKey: Hex, secret: string, userId: string): SealedKey {
  if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey)) throw new Error('not a 32-byte private key');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey(secret), iv);
  cipher.setAAD(Buffer.from(userId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(Buffer.from(privateKey.slice(2), 'hex')), cipher.final()]);
  return { ciphertext, iv, tag: cipher.getAuthTag() };
}

/** Decrypts a sealed key; throws when the secret, the user id or any stored byte differs. */
export function openKey(sealed: SealedKey, secret: string, userId: string): Hex {
  const decipher = createDecipheriv('aes-256-gcm', dataKey(secret), sealed.iv);
  decipher.setAAD(Buffer.from(userId, 'utf8'));
  decipher.setAuthTag(sealed.tag);
  const plain = Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  return `0x${plain.toString('hex')}` as Hex;
}
