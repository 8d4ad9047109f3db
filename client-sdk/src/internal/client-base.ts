import type { ProvisionalLedger } from '../provisional-ledger.js';
import type {
  BreakerState,
  CallOptions,
  RpcMethod,
  SettlementClientEvents,
  SettlementClientOptions,
  SettlementDetails,
  SettlementRequest,
} from '../types.js';
import { ClientCore } from './client-core.js';
import { reconcileLedger, type ReconcileSummary } from './reconcile.js';

/** What every mode shares: the core (breakers, fallback, ledger, events), reconcile, events, shutdown. */
export abstract class ClientBase {
  protected readonly core: ClientCore;
  private reconciling: Promise<ReconcileSummary> | null = null;

  constructor(options: SettlementClientOptions) {
    this.core = new ClientCore(options, () => {
      if (options.autoReconcile) void this.reconcile().catch(() => undefined);
    });
  }

  abstract getSettlementDateDetails(request: SettlementRequest, options?: CallOptions): Promise<SettlementDetails>;

  get ledger(): ProvisionalLedger {
    return this.core.ledger;
  }

  async getSettlementDate(request: SettlementRequest, options: CallOptions = {}): Promise<string> {
    return (await this.getSettlementDateDetails(request, options)).settlementDate;
  }

  reconcile(): Promise<ReconcileSummary> {
    this.reconciling ??= reconcileLedger(this.core).finally(() => {
      this.reconciling = null;
    });
    return this.reconciling;
  }

  on<K extends keyof SettlementClientEvents>(event: K, handler: (payload: SettlementClientEvents[K]) => void): () => void {
    return this.core.events.on(event, handler);
  }

  breakerState(method: RpcMethod): BreakerState {
    return this.core.breakerState(method);
  }

  async close(): Promise<void> {
    this.stop();
    await this.reconciling?.catch(() => undefined);
    this.core.close();
  }

  /** Stops what the mode runs besides the core (timers, streams); called first by close(). */
  protected stop(): void {}
}
