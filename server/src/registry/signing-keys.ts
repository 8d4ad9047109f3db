import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_KEY_FILE = 'signing.key';
export const PUBLIC_KEY_FILE = 'signing.pub';

/** Writes a new ed25519 key pair as PEM (PKCS#8 private, mode 0600; SPKI public). Never overwrites. */
export function generateSigningKeys(dir: string): { readonly privateKeyFile: string; readonly publicKeyFile: string } {
  mkdirSync(dir, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privateKeyFile = join(dir, PRIVATE_KEY_FILE);
  const publicKeyFile = join(dir, PUBLIC_KEY_FILE);
  writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(privateKeyFile, 0o600);
  writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644, flag: 'wx' });
  return { privateKeyFile, publicKeyFile };
}

function requireEd25519(key: KeyObject, file: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} holds a ${key.asymmetricKeyType ?? 'unknown'} key, not ed25519`);
  return key;
}

export function readPrivateKey(file: string): KeyObject {
  return requireEd25519(createPrivateKey(readFileSync(file)), file);
}

export function readPublicKey(file: string): KeyObject {
  return requireEd25519(createPublicKey(readFileSync(file)), file);
}
