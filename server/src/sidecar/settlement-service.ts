import { explain, NoRuleError } from '@tplus/core';
import { explainMissMessage } from './explain-miss-message.js';
import { NO_INJECTED_LATENCY, withInjectedLatency, type InjectedLatency } from './injected-latency.js';
import { bidiHandler, serverStreamHandler, unaryHandler, type AdapterContext } from '../rpc/index.js';
import type { RulesetWatchers, SyncState } from './ruleset-watchers.js';
import { decideColumnar } from './decide-columnar.js';
import { decideRequest, decideRows, termsOf } from './decide-rows.js';
import { DecisionTally } from './decision-tally.js';
import { pickVersion } from './pick-version.js';
import type { RequestObserver } from '../rpc/index.js';
import type { RulesetHolder } from './ruleset-holder.js';
import { listHolidays, listRules, rulesetInfo } from './ruleset-queries.js';
import type { ServerLimits } from './server-limits.js';
import { streamDecisions } from './stream-decisions.js';
import { decisionMessage, explainMessage } from './to-wire.js';
import type {
  BatchRequest,
  BatchResponse,
  ColumnarBatchRequest,
  ColumnarBatchResponse,
  ExplainSettlementDateRequest,
  ExplainSettlementDateResponse,
  GetRulesetInfoRequest,
  GetSettlementDateRequest,
  ListHolidaysRequest,
  ListHolidaysResponse,
  ListRulesRequest,
  ListRulesResponse,
  RulesetEventMessage,
  RulesetInfoMessage,
  SettlementDecisionMessage,
  SettlementServiceHandlers,
  StreamResultMessage,
  WatchRulesetRequest,
} from './wire-types.js';

export interface SettlementServiceDeps {
  readonly holder: RulesetHolder;
  readonly observer: RequestObserver;
  readonly limits: ServerLimits;
  /** The sidecar's clock, for "today" in ruleset info. */
  readonly now: () => Date;
  readonly onInternalError: (method: string, err: unknown) => void;
  /** Drill hook (sidecar started with --allow-drills): delays decisions while active. */
  readonly injectedLatency?: InjectedLatency;
  /** The WatchRuleset streams (told of each activation by the sidecar). */
  readonly watchers: RulesetWatchers;
  /** Whether the sidecar follows a registry and how stale it is, for GetRulesetInfo. */
  readonly sync: () => SyncState;
}

const DECIDES = { decides: true } as const;
const QUERIES = { decides: false } as const;

/** The SettlementService handlers (typed from the proto), each wrapped by the one adapter. */
export function settlementService(deps: SettlementServiceDeps): SettlementServiceHandlers {
  const { holder, observer, limits } = deps;
  const latency = deps.injectedLatency ?? NO_INJECTED_LATENCY;
  const ctx: AdapterContext = { observer, onInternalError: deps.onInternalError };
  const internal = (method: string) => (err: unknown) => deps.onInternalError(method, err);
  // Batches run synchronously from start to finish, so one tally per method is never shared.
  const rowTally = new DecisionTally();
  const columnTally = new DecisionTally();
  const tallied = <T>(tally: DecisionTally, items: number, run: () => T): T => {
    try {
      return run();
    } finally {
      observer.batchItems(items);
      tally.flush(observer);
    }
  };
  return {
    GetSettlementDate: unaryHandler<GetSettlementDateRequest, SettlementDecisionMessage>('GetSettlementDate', DECIDES, ctx, (req) => {
      const d = decideRequest(holder.current, req);
      observer.decisions(d.rule, 1);
      return withInjectedLatency(latency, decisionMessage(d));
    }),
    BatchGetSettlementDates: unaryHandler<BatchRequest, BatchResponse>('BatchGetSettlementDates', DECIDES, ctx, (req) =>
      withInjectedLatency(
        latency,
        tallied(rowTally, req.items.length, () => ({
          results: decideRows(holder.current, req.items, limits.maxBatchItems, rowTally, internal('BatchGetSettlementDates')),
        })),
      ),
    ),
    BatchGetSettlementDatesColumnar: unaryHandler<ColumnarBatchRequest, ColumnarBatchResponse>(
      'BatchGetSettlementDatesColumnar',
      DECIDES,
      ctx,
      (req) =>
        tallied(columnTally, req.tradeDates.length, () =>
          decideColumnar(holder.current, req, limits.maxColumnarItems, columnTally, internal('BatchGetSettlementDatesColumnar')),
        ),
    ),
    StreamSettlementDates: bidiHandler<GetSettlementDateRequest, StreamResultMessage>(
      'StreamSettlementDates',
      DECIDES,
      ctx,
      streamDecisions(holder, observer),
    ),
    ExplainSettlementDate: unaryHandler<ExplainSettlementDateRequest, ExplainSettlementDateResponse>(
      'ExplainSettlementDate',
      DECIDES,
      ctx,
      (req) => {
        const ruleset = pickVersion(holder.current, req.rulesetVersion).ruleset;
        try {
          const e = explain(ruleset, req.tradeDate, req.assetClass, req.market, req.allowNonTradingDay === true, termsOf(req));
          observer.decisions(e.decision.rule, 1);
          return explainMessage(e);
        } catch (err) {
          // A miss is what explain is asked to explain: answered, not failed (and not counted as an error).
          if (err instanceof NoRuleError) return explainMissMessage(req, err);
          throw err;
        }
      },
    ),
    GetRulesetInfo: unaryHandler<GetRulesetInfoRequest, RulesetInfoMessage>('GetRulesetInfo', QUERIES, ctx, () =>
      rulesetInfo(holder.current, deps.now(), deps.sync()),
    ),
    ListRules: unaryHandler<ListRulesRequest, ListRulesResponse>('ListRules', QUERIES, ctx, (req) => listRules(holder.current, req)),
    ListHolidays: unaryHandler<ListHolidaysRequest, ListHolidaysResponse>('ListHolidays', QUERIES, ctx, (req) =>
      listHolidays(holder.current, req),
    ),
    WatchRuleset: serverStreamHandler<WatchRulesetRequest, RulesetEventMessage>('WatchRuleset', ctx, (call) => deps.watchers.watch(call)),
  };
}
