import { status } from '@grpc/grpc-js';
import { fromJSON, type ServiceDefinition } from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { DECISION_ERROR_CODES, DecisionError, type DecisionErrorCode } from '@tplus/core';
import { failureStatus } from '../../server/src/rpc/handler-adapter.js';
import { decodeStatusDetails, encodeStatusDetails, ERROR_INFO_TYPE_URL } from '../../server/src/rpc/status-details.js';
import { GRPC_STATUS_BY_REASON, INTERNAL_MESSAGE, toGrpcStatus, wellFormed } from '../../server/src/rpc/to-grpc-status.js';

/** The contract's error table (docs/sidecar.md "Errors"), restated independently of the implementation. */
const TABLE: readonly [DecisionErrorCode, status][] = [
  ['INVALID_DATE', status.INVALID_ARGUMENT],
  ['INVALID_ARGUMENT', status.INVALID_ARGUMENT],
  ['BATCH_TOO_LARGE', status.INVALID_ARGUMENT],
  ['NO_RULE', status.NOT_FOUND],
  ['CALENDAR_NOT_FOUND', status.NOT_FOUND],
  ['NOT_A_TRADING_DAY', status.FAILED_PRECONDITION],
  ['VERSION_NOT_HELD', status.FAILED_PRECONDITION],
  ['CALENDAR_OUT_OF_RANGE', status.OUT_OF_RANGE],
];

describe('toGrpcStatus: the one mapping from domain error codes to gRPC status codes', () => {
  it('covers every domain error code exactly once', () => {
    expect(TABLE.map(([c]) => c).sort()).toEqual([...DECISION_ERROR_CODES].sort());
    expect(Object.keys(GRPC_STATUS_BY_REASON).sort()).toEqual([...DECISION_ERROR_CODES].sort());
  });

  it.each(TABLE)('%s → %s, keeping the message and details', (code, expected) => {
    const err = new DecisionError(code, `field x "value" is wrong (${code})`, { field: 'x', value: 'value' });
    expect(toGrpcStatus(err)).toEqual({
      code: expected,
      reason: code,
      message: `field x "value" is wrong (${code})`,
      details: { field: 'x', value: 'value' },
      expected: true,
    });
  });

  it.each([
    ['an Error with SQLite text', new Error('SQLITE_CORRUPT: database disk image is malformed')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'calendars')")],
    ['a thrown string', 'boom'],
    ['undefined', undefined],
  ])('anything else (%s) → INTERNAL with a generic message', (_what, thrown) => {
    expect(toGrpcStatus(thrown)).toEqual({
      code: status.INTERNAL,
      reason: 'INTERNAL',
      message: INTERNAL_MESSAGE,
      details: {},
      expected: false,
    });
  });

  it('makes messages safe for an HTTP/2 trailer (no lone surrogates)', () => {
    expect(wellFormed('a\uD800b\uDFFFc🙂')).toBe('a\uFFFDb\uFFFDc🙂');
    expect(() => encodeURI(toGrpcStatus(new DecisionError('NO_RULE', 'market \uD800')).message)).not.toThrow();
  });
});

describe('failure status: tplus-error-reason and google.rpc.Status/ErrorInfo in grpc-status-details-bin', () => {
  // google.rpc.Status and google.rpc.ErrorInfo as googleapis defines them, decoded by protobufjs (through
  // proto-loader): a fake service whose request is a Status and whose response is an ErrorInfo.
  const json = {
    nested: {
      google: {
        nested: {
          rpc: {
            nested: {
              Status: {
                fields: {
                  code: { type: 'int32', id: 1 },
                  message: { type: 'string', id: 2 },
                  details: { rule: 'repeated', type: 'Any', id: 3 },
                },
              },
              Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
              ErrorInfo: {
                fields: {
                  reason: { type: 'string', id: 1 },
                  domain: { type: 'string', id: 2 },
                  metadata: { keyType: 'string', type: 'string', id: 3 },
                },
              },
              Decoder: { methods: { Decode: { requestType: 'Status', responseType: 'ErrorInfo' } } },
            },
          },
        },
      },
    },
  };
  const rpc = fromJSON(json as unknown as Parameters<typeof fromJSON>[0], { keepCase: true, defaults: true });
  const decoder = (rpc['google.rpc.Decoder'] as ServiceDefinition)['Decode'];

  it('is decodable by a standard protobuf implementation', () => {
    const bytes = encodeStatusDetails(status.NOT_FOUND, 'no rule for market "QQQQ"', {
      reason: 'NO_RULE',
      domain: 'tplus.settlement.v1',
      metadata: { market: 'QQQQ', note: 'é🙂' },
    });
    const decoded = decoder?.requestDeserialize(bytes) as { code: number; message: string; details: { type_url: string; value: Buffer }[] };
    expect(decoded.code).toBe(status.NOT_FOUND);
    expect(decoded.message).toBe('no rule for market "QQQQ"');
    expect(decoded.details.map((d) => d.type_url)).toEqual(['type.googleapis.com/google.rpc.ErrorInfo']);
    expect(decoder?.responseDeserialize(Buffer.from((decoded.details[0] as { value: Buffer }).value))).toEqual({
      reason: 'NO_RULE',
      domain: 'tplus.settlement.v1',
      metadata: { market: 'QQQQ', note: 'é🙂' },
    });
    expect(decodeStatusDetails(bytes)).toEqual({
      code: status.NOT_FOUND,
      message: 'no rule for market "QQQQ"',
      errorInfos: [{ reason: 'NO_RULE', domain: 'tplus.settlement.v1', metadata: { market: 'QQQQ', note: 'é🙂' } }],
    });
  });

  it('decodes what a standard protobuf implementation encodes', () => {
    const info = decoder?.responseSerialize({ reason: 'NO_RULE', domain: 'x', metadata: { a: 'b' } }) as Buffer;
    const bytes = decoder?.requestSerialize({ code: 5, message: 'm', details: [{ type_url: ERROR_INFO_TYPE_URL, value: info }] }) as Buffer;
    expect(decodeStatusDetails(bytes)).toEqual({
      code: 5,
      message: 'm',
      errorInfos: [{ reason: 'NO_RULE', domain: 'x', metadata: { a: 'b' } }],
    });
  });

  it('puts the reason in metadata and the ErrorInfo in the status details', () => {
    const s = failureStatus(
      toGrpcStatus(new DecisionError('VERSION_NOT_HELD', 'ruleset_version 3 is not held', { field: 'ruleset_version', value: '3' })),
    );
    expect(s.code).toBe(status.FAILED_PRECONDITION);
    expect(s.metadata?.get('tplus-error-reason')).toEqual(['VERSION_NOT_HELD']);
    const bin = s.metadata?.get('grpc-status-details-bin')[0];
    expect(Buffer.isBuffer(bin)).toBe(true);
    expect(decodeStatusDetails(bin as Buffer)).toEqual({
      code: status.FAILED_PRECONDITION,
      message: 'ruleset_version 3 is not held',
      errorInfos: [{ reason: 'VERSION_NOT_HELD', domain: 'tplus.settlement.v1', metadata: { field: 'ruleset_version', value: '3' } }],
    });
    expect((bin as Buffer).includes(Buffer.from(ERROR_INFO_TYPE_URL))).toBe(true);
  });

  it('rejects truncated bytes instead of inventing a status', () => {
    const bytes = encodeStatusDetails(5, 'm', { reason: 'NO_RULE', domain: 'd', metadata: {} });
    expect(() => decodeStatusDetails(bytes.subarray(0, bytes.length - 3))).toThrow();
  });
});
