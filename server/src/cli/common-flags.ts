import { existsSync } from 'node:fs';
import { checkIdentifier, DecisionError, parseSettlementType, type DecideTerms, type IdentifierKind } from '@tplus/core';
import type { RawSetting } from '../runtime/index.js';
import type { FlagDef } from '../runtime/index.js';

/** Refuses, before any rule pack is loaded or any call made, an identifier no pack can contain. */
function identifier(kind: IdentifierKind) {
  return (s: RawSetting): string | null => {
    try {
      checkIdentifier(s.text, kind, s.origin);
      return null;
    } catch (e) {
      if (e instanceof DecisionError) return e.message;
      throw e;
    }
  };
}

function settlementType(s: RawSetting): string | null {
  try {
    parseSettlementType(s.text, s.origin);
    return null;
  } catch (e) {
    if (e instanceof DecisionError) return e.message;
    throw e;
  }
}

function optionDays(s: RawSetting): string | null {
  return /^\d{1,4}$/.test(s.text) ? null : `${s.origin} ${JSON.stringify(s.text)} is not a whole number of business days`;
}

/** A file named by a flag or variable must exist; the message names where the name came from. */
export function existingFile(s: RawSetting): string | null {
  return s.text === '' || existsSync(s.text) ? null : `${s.origin}=${JSON.stringify(s.text)}: no such file`;
}

/** A string flag of the CLI table (the one helper every command file builds its flags with). */
export const str = (name: string, value: string, help: string, extra: Partial<FlagDef> = {}): FlagDef => ({
  name,
  type: 'string',
  value,
  help,
  ...extra,
});
const bool = (name: string, help: string): FlagDef => ({ name, type: 'boolean', help });

/** Flags several commands share, declared once so they read and check the same everywhere. */
export const FLAG = {
  market: str('market', 'MIC', 'market, an ISO 10383 MIC (e.g. XNYS)', { check: identifier('market') }),
  assetClass: str('asset-class', 'AC', 'asset class (e.g. EQUITY)', { check: identifier('asset_class') }),
  calendarId: str('id', 'ID', 'calendar id (e.g. US-SETTLEMENT)', { required: true, check: identifier('calendar_id') }),
  tradeDate: str('trade-date', 'YYYY-MM-DD', 'trade date'),
  allowNonTradingDay: bool('allow-non-trading-day', 'decide a trade on a day its market was closed'),
  json: bool('json', 'print JSON (one object per line)'),
  settlementType: str('settlement-type', 'TYPE', 'REGULAR, CASH, NEXT_DAY, SELLERS_OPTION or WHEN_ISSUED', {
    defaultNote: 'REGULAR',
    check: settlementType,
  }),
  optionDays: str('option-days', 'N', "with SELLERS_OPTION: business days until the option's expiry", { check: optionDays }),
  settlementDate: str('settlement-date', 'YYYY-MM-DD', 'with WHEN_ISSUED: the announced settlement date'),
  segment: str('segment', 'SEGMENT', "the instrument's segment (a segment rule takes precedence over the market default)", {
    check: identifier('segment'),
  }),
  rules: str('rules', 'DIR', 'rule pack directory', { defaultNote: 'the bundled rule pack' }),
  registry: str('registry', 'ADDR', 'registry address, HOST:PORT or unix:/path', { env: 'TPLUS_REGISTRY' }),
  tokenFile: str('token-file', 'FILE', 'file holding a registry token on its first line', { env: 'TPLUS_TOKEN_FILE', check: existingFile }),
  registryPublicKey: str('registry-public-key', 'FILE', "the registry's ed25519 public key (PEM): verify signatures too", {
    env: 'TPLUS_REGISTRY_PUBLIC_KEY',
    check: existingFile,
  }),
  tlsCa: str('tls-ca', 'FILE', 'reach the registry over TLS, trusting this CA (PEM)', {
    env: 'TPLUS_TLS_CA',
    defaultNote: 'plaintext',
    check: existingFile,
  }),
  tlsClientCert: str('tls-client-cert', 'FILE', 'client certificate (PEM) for a registry with mutual TLS', {
    env: 'TPLUS_TLS_CLIENT_CERT',
    check: existingFile,
  }),
  tlsClientKey: str('tls-client-key', 'FILE', 'private key (PEM) of --tls-client-cert', {
    env: 'TPLUS_TLS_CLIENT_KEY',
    check: existingFile,
  }),
} as const satisfies Record<string, FlagDef>;

/** The flags that add a settlement type and a segment to a trade. */
export const TERMS_FLAGS: readonly FlagDef[] = [FLAG.settlementType, FLAG.optionDays, FLAG.settlementDate, FLAG.segment];

/** The trade's type and segment from TERMS_FLAGS; undefined when none was given (the plain REGULAR path). */
export function termsFromFlags(flags: { get(name: string): string | undefined }): DecideTerms | undefined {
  const settlementType = flags.get('settlement-type');
  const days = flags.get('option-days');
  const settlementDate = flags.get('settlement-date');
  const segment = flags.get('segment');
  if (settlementType === undefined && days === undefined && settlementDate === undefined && segment === undefined) return undefined;
  return { settlementType, optionDays: days === undefined ? undefined : Number(days), settlementDate, segment };
}

/** How a CLI command reaches a registry: address, token and TLS. */
export const REGISTRY_FLAGS: readonly FlagDef[] = [FLAG.registry, FLAG.tokenFile, FLAG.tlsCa, FLAG.tlsClientCert, FLAG.tlsClientKey];

export const required = (def: FlagDef): FlagDef => ({ ...def, required: true });
