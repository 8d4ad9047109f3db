/** The request fields a `settle` / `explain` flag sets, and that flag: the one table the rewording below reads. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  allow_non_trading_day: '--allow-non-trading-day',
  settlement_type: '--settlement-type',
  option_days: '--option-days',
  settlement_date: '--settlement-date',
  segment: '--segment',
};

/** Only these refusals are about a value the caller typed: CALENDAR_OUT_OF_RANGE's settlement_date is the computed date. */
const REFUSALS_OF_INPUT = new Set(['INVALID_ARGUMENT', 'INVALID_DATE']);

/**
 * A decision error's message in the words of the command line. The core names request fields
 * (`option_days 1 is outside …`, `pass allow_non_trading_day`); the user typed flags, so a refusal of a
 * settlement-type field or the segment (INVALID_ARGUMENT, INVALID_DATE) names the flag
 * (`--option-days 1 is outside …`). Takes the code and message of a DecisionError, or the reason and
 * details of a sidecar's status. JSON Lines input (`settle --input`) is not reworded: there the caller
 * wrote the JSON field.
 */
export function inFlagWords(code: string, message: string): string {
  const reworded = message.replace('pass allow_non_trading_day', `pass ${FLAG_OF_FIELD['allow_non_trading_day']}`);
  if (!REFUSALS_OF_INPUT.has(code)) return reworded;
  // "segment" is also an ordinary word in messages: only as the field a refusal starts with is it the flag.
  return reworded
    .replace(/\b(settlement_type|option_days|settlement_date)\b/g, (name) => FLAG_OF_FIELD[name] ?? name)
    .replace(/^segment "/, '--segment "');
}
