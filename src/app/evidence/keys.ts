/**
 * The Ed25519 key that signs the audit chain's head. It lives outside the database — a PEM file
 * (`AUDIT_SIGNING_KEY_FILE`) or the environment (`AUDIT_SIGNING_KEY`) — so someone who can write to the
 * database cannot sign a rewritten history. A process that only checks may be given the public key alone
 * (`AUDIT_PUBLIC_KEY_FILE`). node:crypto does the signing; nothing here is hand-rolled cryptography.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AuditCheckpoint } from '../ports.js';

export interface AuditKey {
  /** First 16 hex digits of the SHA-256 of the public key (SPKI DER). */
  keyId: string;
  publicKeyPem: string;
  canSign: boolean;
  sign(message: string): string;
  verify(message: string, signatureBase64: string): boolean;
}

function fingerprint(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

function fromKeys(privateKey: KeyObject | undefined, publicKey: KeyObject): AuditKey {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit key must be an Ed25519 key');
  return {
    keyId: fingerprint(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    canSign: privateKey !== undefined,
    sign(message) {
      if (!privateKey) throw new Error('only the public audit key is configured here: this process cannot sign');
      return sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64');
    },
    verify(message, signatureBase64) {
      try {
        return verify(null, Buffer.from(message, 'utf8'), publicKey, Buffer.from(signatureBase64, 'base64'));
      } catch {
        return false;
      }
    },
  };
}

/** A private key in PEM (PKCS#8, as `openssl genpkey -algorithm ed25519` writes it). */
export function auditKeyFromPem(pem: string): AuditKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key must be an Ed25519 private key');
  return fromKeys(privateKey, createPublicKey(privateKey));
}

/** A public key in PEM (SPKI): checks checkpoints, signs nothing. */
export function auditPublicKeyFromPem(pem: string): AuditKey {
  return fromKeys(undefined, createPublicKey(pem));
}

/** A fresh key pair (tests, and `admin audit keygen`). */
export function generateAuditKey(): { key: AuditKey; privateKeyPem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { key: auditKeyFromPem(privateKeyPem), privateKeyPem };
}

/** From the configuration: the environment's PEM, else the file, else the public key file, else none. */
export function loadAuditKey(config: { AUDIT_SIGNING_KEY?: string; AUDIT_SIGNING_KEY_FILE?: string; AUDIT_PUBLIC_KEY_FILE?: string }): AuditKey | undefined {
  if (config.AUDIT_SIGNING_KEY) return auditKeyFromPem(config.AUDIT_SIGNING_KEY.replace(/\\n/g, '\n'));
  if (config.AUDIT_SIGNING_KEY_FILE) return auditKeyFromPem(readFileSync(config.AUDIT_SIGNING_KEY_FILE, 'utf8'));
  if (config.AUDIT_PUBLIC_KEY_FILE) return auditPublicKeyFromPem(readFileSync(config.AUDIT_PUBLIC_KEY_FILE, 'utf8'));
  return undefined;
}

/** Exactly what is signed: a versioned, line-separated statement of whose chain, which entry, which hash, when. */
export function checkpointMessage(c: Pick<AuditCheckpoint, 'organisationId' | 'seq' | 'hash' | 'at'>): string {
  return ['supervision-bot audit checkpoint v1', c.organisationId, String(c.seq), c.hash, c.at.toISOString()].join('\n');
}
