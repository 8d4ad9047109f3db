/**
 * Child process of the in-process bench (run with --expose-gc): heap used after a full GC before
 * createSettlementClient and after ready() (and one answer), in the mode given. Prints one JSON line.
 *   node --expose-gc sdk-heap-child.js <address> <rpc|in-process>
 */
import { createSettlementClient } from '@tplus/client-sdk';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const [address = '', mode = ''] = process.argv.slice(2);
if (mode !== 'rpc' && mode !== 'in-process') throw new Error(`mode must be rpc or in-process, got ${mode}`);

const heap = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const ask = { tradeDate: '2024-05-28', assetClass: 'EQUITY', market: 'XNYS' };
const before = heap();
const client =
  mode === 'in-process'
    ? createSettlementClient({ address, mode, deadlineMs: 5_000 })
    : createSettlementClient({ address, deadlineMs: 5_000 });
await client.ready({ timeoutMs: 20_000 });
const answer = await client.getSettlementDateDetails(ask);
const after = heap();
process.stdout.write(`${JSON.stringify({ mode, before, after, source: answer.source, rulesetVersion: answer.rulesetVersion ?? null })}\n`);
await client.close();
