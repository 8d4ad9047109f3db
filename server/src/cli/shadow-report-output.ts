import type { GetShadowReportResponseMessage } from '../registry/index.js';
import { RegistryCallError } from '../registry/client/index.js';
import type { CliIo } from './cli-io.js';

/** Prints a shadow report: totals, changed requests by market and trade date, samples. */
export function printShadowReport(r: GetShadowReportResponseMessage, json: boolean, io: CliIo): number {
  if (json) {
    io.stdout.write(`${JSON.stringify(r)}\n`);
    return 0;
  }
  const t = r.totals ?? { same: 0, expectedChange: 0, unexpectedChange: 0, error: 0, dropped: 0 };
  const evaluated = t.same + t.expectedChange + t.unexpectedChange + t.error;
  io.stdout.write(
    `version ${r.version}: ${evaluated} shadow decision(s) over ${r.followers} follower(s): same ${t.same}, expected_change ${t.expectedChange}, unexpected_change ${t.unexpectedChange}, error ${t.error} (not evaluated: ${t.dropped})\n`,
  );
  for (const c of r.changes) io.stdout.write(`  ${c.market} ${c.tradeDate} ${c.outcome}: ${c.count}\n`);
  if (r.samples.length > 0) io.stdout.write('samples:\n');
  for (const s of r.samples)
    io.stdout.write(
      `  ${s.outcome} ${s.market} ${s.assetClass} trade ${s.tradeDate}: live ${s.liveAnswer} (${s.liveRuleId || '-'}) → candidate ${s.shadowAnswer} (${s.shadowRuleId || '-'})${s.sidecarId ? ` [${s.sidecarId}]` : ''}\n`,
    );
  return 0;
}

/** `shadow-report --sidecar ADDR`: one sidecar's own counts. */
export async function sidecarShadowReport(address: string, json: boolean, io: CliIo): Promise<number> {
  void address;
  void json;
  void io;
  throw new RegistryCallError('shadow-report --sidecar is not available yet');
}
