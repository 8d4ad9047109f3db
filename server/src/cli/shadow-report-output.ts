import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { grpcTarget, type GetShadowReportResponseMessage } from '../registry/index.js';
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
export async function sidecarShadowReport(address: string, json: boolean, io: CliIo, deadlineMs = 10_000): Promise<number> {
  // Loaded on demand: the other CLI commands never load the sidecar's modules.
  const { shadowServiceDefinition } = await import('../sidecar/index.js');
  const m = shadowServiceDefinition()['GetShadowReport'];
  if (!m) throw new Error('ShadowService has no GetShadowReport');
  const client = new Client(grpcTarget(address), credentials.createInsecure());
  try {
    const r = await new Promise<GetShadowReportResponseMessage>((resolve, reject) =>
      client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        {},
        new Metadata(),
        { deadline: Date.now() + deadlineMs },
        (err: ServiceError | null, value?: unknown) =>
          err
            ? reject(new RegistryCallError(`GetShadowReport at ${address} failed: ${status[err.code] ?? err.code}: ${err.details}`))
            : resolve(value as GetShadowReportResponseMessage),
      ),
    );
    if (r.version === 0 && !json) {
      io.stdout.write('this sidecar shadows no candidate\n');
      return 0;
    }
    return printShadowReport(r, json, io);
  } finally {
    client.close();
  }
}
