import type { SettlementClient } from './settlement-client.js';
import type { SettlementRequest } from './types.js';

export interface Disagreement {
  readonly request: SettlementRequest;
  readonly legacy: string;
  /** The service's date, or its error code when it refused the trade. */
  readonly service: string;
  readonly ruleId?: string;
  readonly rulesetVersion?: number;
}

export interface ShadowSummary {
  readonly calls: number;
  readonly agreed: number;
  readonly disagreed: number;
  /** Calls the service could not answer (unreachable): not compared. */
  readonly notCompared: number;
  /** Disagreements by "MARKET ASSET_CLASS". */
  readonly byKey: Readonly<Record<string, number>>;
  readonly examples: readonly Disagreement[];
}

export interface ShadowOptions {
  /** The legacy code being replaced; its answer is what the shadow returns. */
  readonly legacy: (request: SettlementRequest) => string;
  readonly client: SettlementClient;
  /** Receives every disagreement (e.g. append to a report file). */
  readonly sink?: (d: Disagreement) => void;
  /** Disagreements kept as examples in the summary. Default 20. */
  readonly maxExamples?: number;
}

export interface Shadow {
  /** The legacy answer, after comparing it with the service's. */
  getSettlementDate(request: SettlementRequest): Promise<string>;
  summary(): ShadowSummary;
}

/**
 * Shadow mode for migrating legacy settlement-date code: every call asks both, returns the legacy
 * answer unchanged, and records each disagreement with the service (with the rule that decided it).
 * Provisional fallback answers are never compared.
 */
export function createShadow(options: ShadowOptions): Shadow {
  const maxExamples = options.maxExamples ?? 20;
  let calls = 0;
  let agreed = 0;
  let notCompared = 0;
  const byKey: Record<string, number> = {};
  const examples: Disagreement[] = [];
  const disagree = (d: Disagreement): void => {
    const key = `${d.request.market} ${d.request.assetClass}`;
    byKey[key] = (byKey[key] ?? 0) + 1;
    if (examples.length < maxExamples) examples.push(d);
    options.sink?.(d);
  };
  return {
    async getSettlementDate(request) {
      calls++;
      const legacy = options.legacy(request);
      try {
        const d = await options.client.getSettlementDateDetails(request, { fallback: false });
        if (d.settlementDate === legacy) agreed++;
        else
          disagree({
            request,
            legacy,
            service: d.settlementDate,
            ...(d.ruleId ? { ruleId: d.ruleId } : {}),
            ...(d.rulesetVersion !== undefined ? { rulesetVersion: d.rulesetVersion } : {}),
          });
      } catch (e) {
        const err = e as { isCallerError?: boolean; reason?: string };
        if (err.isCallerError) disagree({ request, legacy, service: err.reason ?? 'ERROR' });
        else notCompared++;
      }
      return legacy;
    },
    summary() {
      return { calls, agreed, disagreed: calls - agreed - notCompared, notCompared, byKey: { ...byKey }, examples: [...examples] };
    },
  };
}
