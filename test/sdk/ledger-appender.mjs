// Child process for ledger-kill-loop.test.ts: plain node on the BUILT SDK (client-sdk/dist), as a trading
// process would run it. Appends the groups of entry sizes in its plan and, after each `await flush()`,
// prints "flushed <id> <id> ...". It goes round its plan (at most 50 times) until the parent kills it
// with SIGKILL at a random moment.
// Usage: node ledger-appender.mjs <ledger path> <id prefix> <plan JSON: [[size, ...], ...]>
import { JsonlFileLedger } from '../../client-sdk/dist/esm/index.js';

const [path, prefix, planJson] = process.argv.slice(2);
const plan = JSON.parse(planJson);
const ledger = new JsonlFileLedger(path);
process.stdout.write(`ready ${ledger.all().length}\n`);
let n = 0;
for (const group of Array.from({ length: 50 }, () => plan).flat()) {
  const ids = [];
  for (const size of group) {
    const id = `${prefix}-${n++}`;
    ledger.record({
      id,
      request: { tradeDate: '2024-05-24', assetClass: 'EQUITY', market: 'XNYS' },
      provisionalDate: '2024-05-28',
      at: new Date().toISOString(),
      reason: 'x'.repeat(size),
      status: 'open',
    });
    ids.push(id);
  }
  await ledger.flush();
  // stdout to a pipe is synchronous on Linux: once written, the parent will read it even after SIGKILL.
  process.stdout.write(`flushed ${ids.join(' ')}\n`);
}
await ledger.close();
process.stdout.write('done\n');
