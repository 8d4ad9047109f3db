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

/** Which ASCII codes a shape allows, one table read per character (non-ASCII reads undefined: refused). */
function allowed(test: (c: number) => boolean): Uint8Array {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) table[c] = test(c) ? 1 : 0;
  return table;
}
const UPPER = allowed(isUpper);
const UPPER_OR_DIGIT = allowed((c) => isUpper(c) || isDigit(c));
const ASSET_CLASS_REST = allowed((c) => isUpper(c) || isDigit(c) || c === 95);
const SEGMENT_REST = allowed((c) => isUpper(c) || isDigit(c) || c === 95 || c === 45);

/** 1..max characters, the first from `first`, the rest from `rest`. */
function shaped(value: string, first: Uint8Array, rest: Uint8Array, max: number): boolean {
  const n = value.length;
  if (n < 1 || n > max || first[value.charCodeAt(0)] !== 1) return false;
  for (let i = 1; i < n; i++) if (rest[value.charCodeAt(i)] !== 1) return false;
  return true;
}

/**
 * The same tests as the patterns, as table-driven char loops for the fields every decision checks (about
 * half the cost of the regex tests, and small enough for V8 to inline into decide()).
 * test/unit/identifier-shapes.test.ts pins them to the patterns.
 */
export const isMarket = (value: string): boolean => value.length === 4 && shaped(value, UPPER_OR_DIGIT, UPPER_OR_DIGIT, 4);
export const isAssetClass = (value: string): boolean => shaped(value, UPPER, ASSET_CLASS_REST, 32);
/** V8's shortest cut that shares its characters (SlicedString::kMinLength, ConsString::kMinLength). */
const SHARED_CUT_MIN_LENGTH = 13;

/** The last segment that passed isSegment (a valid placeholder at first). */
let lastSegment = 'A';

/**
 * The segment pattern: upper-case letter or digit, then upper-case letters, digits, "_" or "-". A segment
 * with no rule of its own (the market default answers) is checked on every decision that names it, and
 * trade capture sends the same few segments over and over: a repeat of the last segment that passed costs
 * one string compare (a pointer compare for the same short string, else length first, then the characters)
 * instead of a char loop.
 */
export function isSegment(value: string): boolean {
  if (value === lastSegment) return true;
  if (!shaped(value, UPPER_OR_DIGIT, SEGMENT_REST, 32)) return false;
  remember(value);
  return true;
}

/**
 * V8 shares the characters of a cut (slice, substring) of 13 or more characters with the string it was
 * cut from, so keeping such a caller string would keep that whole string (a file read whole, say) alive:
 * those are kept as a copy. A shorter string always holds its own characters and is kept as it is, so
 * that the same string sent again compares by pointer. (Out of isSegment, to keep it small to inline.)
 */
function remember(value: string): void {
  lastSegment = value.length < SHARED_CUT_MIN_LENGTH ? value : [...value].join('');
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
