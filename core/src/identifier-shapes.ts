import { DecisionError } from './decision-error.js';

/**
 * THE shapes of the identifiers a rule pack may contain, and so of what a request may ask for: the
 * pack compiler refuses anything else, so a request field of another shape can never match and is
 * refused as INVALID_ARGUMENT before any lookup: by the sidecar, the CLI and the client SDK alike.
 */
export const IDENTIFIER_SHAPES = Object.freeze({
  /** ISO 10383 MIC. */
  market: { pattern: /^[A-Z0-9]{4}$/, text: 'an ISO 10383 MIC (4 upper-case letters or digits)' },
  asset_class: { pattern: /^[A-Z][A-Z0-9_]{0,31}$/, text: 'an upper-case letter, then at most 31 upper-case letters, digits or _' },
  /** Calendar and rule ids. */
  calendar_id: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    text: 'a letter or digit, then at most 63 letters, digits, ".", "_" or "-"',
  },
  /** Instrument segments (a firm's instrument group or an exchange's tranche), optional on a rule and a request. */
  segment: {
    pattern: /^[A-Z0-9][A-Z0-9_-]{0,31}$/,
    text: 'an upper-case letter or digit, then at most 31 upper-case letters, digits, "_" or "-"',
  },
});

export type IdentifierKind = keyof typeof IDENTIFIER_SHAPES;

/** The longest value any identifier shape accepts (for message-size arithmetic). */
export const MAX_IDENTIFIER_LENGTH = { market: 4, asset_class: 32, calendar_id: 64, segment: 32 } as const satisfies Record<
  IdentifierKind,
  number
>;

const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * The same tests as the patterns, as char loops for the two fields every decision checks (about half
 * the cost of the regex tests). test/unit/identifier-shapes.test.ts pins them to the patterns.
 */
export function isMarket(value: string): boolean {
  if (value.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const c = value.charCodeAt(i);
    if (!isUpper(c) && !isDigit(c)) return false;
  }
  return true;
}

export function isAssetClass(value: string): boolean {
  const n = value.length;
  if (n < 1 || n > 32 || !isUpper(value.charCodeAt(0))) return false;
  for (let i = 1; i < n; i++) {
    const c = value.charCodeAt(i);
    if (!isUpper(c) && !isDigit(c) && c !== 95) return false;
  }
  return true;
}

/** Which ASCII codes a segment may continue with (A-Z, 0-9, "_", "-"): one table read per character. */
const SEGMENT_CHARS = new Uint8Array(128);
for (let c = 0; c < 128; c++) SEGMENT_CHARS[c] = isUpper(c) || isDigit(c) || c === 95 || c === 45 ? 1 : 0;

/** The segment pattern as a char loop: upper-case letter or digit, then upper-case letters, digits, "_" or "-". */
export function isSegment(value: string): boolean {
  const n = value.length;
  if (n < 1 || n > 32) return false;
  const c0 = value.charCodeAt(0);
  if (!isUpper(c0) && !isDigit(c0)) return false;
  for (let i = 1; i < n; i++) if (SEGMENT_CHARS[value.charCodeAt(i)] !== 1) return false;
  return true;
}

const FAST: Readonly<Record<IdentifierKind, (value: string) => boolean>> = {
  market: isMarket,
  asset_class: isAssetClass,
  calendar_id: (value) => IDENTIFIER_SHAPES.calendar_id.pattern.test(value),
  segment: isSegment,
};

/** Caller text as shown in an error: at most 40 characters, then `…` and the full length. */
export function shownValue(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…(${value.length} chars)` : value;
}

/**
 * Throws INVALID_ARGUMENT naming `field` and the (shortened) value unless `value` has the shape of
 * `kind`. Allocates nothing on success and reads at most the shape's longest length, whatever the
 * input's length.
 */
export function checkIdentifier(value: string, kind: IdentifierKind, field: string = kind): void {
  if (FAST[kind](value)) return;
  if (value.length === 0) throw new DecisionError('INVALID_ARGUMENT', `${field} must not be empty`, { field, value: '' });
  const shown = shownValue(value);
  // A code of the right shape but for its case (xnys): say so, and what to send instead.
  const upper = value.length <= MAX_IDENTIFIER_LENGTH[kind] ? value.toUpperCase() : value;
  const hint = upper !== value && FAST[kind](upper) ? `; codes are upper case: did you mean ${JSON.stringify(upper)}?` : '';
  throw new DecisionError('INVALID_ARGUMENT', `${field} ${JSON.stringify(shown)} is not ${IDENTIFIER_SHAPES[kind].text}${hint}`, {
    field,
    value: shown,
  });
}
