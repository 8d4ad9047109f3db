/**
 * google.rpc.Status carrying one google.rpc.ErrorInfo, in protobuf wire form, for the standard
 * `grpc-status-details-bin` trailer. Hand-encoded (three tiny messages) so the contract needs no
 * vendored googleapis protos:
 *   Status    { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
 *   Any       { string type_url = 1; bytes value = 2; }
 *   ErrorInfo { string reason = 1; string domain = 2; map<string, string> metadata = 3; }
 */

export const ERROR_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.ErrorInfo';
/** ErrorInfo.domain of every tplus error. */
export const ERROR_DOMAIN = 'tplus.settlement.v1';

export interface ErrorInfo {
  readonly reason: string;
  readonly domain: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface StatusDetails {
  readonly code: number;
  readonly message: string;
  /** ErrorInfo entries found among the details (other detail types are skipped). */
  readonly errorInfos: readonly ErrorInfo[];
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function lengthDelimited(field: number, payload: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
}

function text(field: number, value: string): Buffer {
  return lengthDelimited(field, Buffer.from(value, 'utf8'));
}

export function encodeErrorInfo(info: ErrorInfo): Buffer {
  const parts = [text(1, info.reason), text(2, info.domain)];
  for (const [key, value] of Object.entries(info.metadata)) {
    parts.push(lengthDelimited(3, Buffer.concat([text(1, key), text(2, value)])));
  }
  return Buffer.concat(parts);
}

/** The bytes of a google.rpc.Status with one ErrorInfo detail. */
export function encodeStatusDetails(code: number, message: string, info: ErrorInfo): Buffer {
  const any = Buffer.concat([text(1, ERROR_INFO_TYPE_URL), lengthDelimited(2, encodeErrorInfo(info))]);
  return Buffer.concat([varint(1 << 3), varint(code), text(2, message), lengthDelimited(3, any)]);
}

/** Field number → values (varints as numbers, length-delimited as Buffers). Throws on malformed input. */
function readFields(buf: Buffer): Map<number, (number | Buffer)[]> {
  const fields = new Map<number, (number | Buffer)[]>();
  let pos = 0;
  const readVarint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = buf[pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
    throw new Error('varint too long');
  };
  while (pos < buf.length) {
    const tag = readVarint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let value: number | Buffer;
    if (wire === 0) value = readVarint();
    else if (wire === 2) {
      const length = readVarint();
      if (pos + length > buf.length) throw new Error('truncated field');
      value = buf.subarray(pos, (pos += length));
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      continue;
    } else throw new Error(`unsupported wire type ${wire}`);
    const list = fields.get(field) ?? [];
    list.push(value);
    fields.set(field, list);
  }
  return fields;
}

const str = (v: number | Buffer | undefined): string => (Buffer.isBuffer(v) ? v.toString('utf8') : '');

export function decodeErrorInfo(buf: Buffer): ErrorInfo {
  const f = readFields(buf);
  const metadata: Record<string, string> = {};
  for (const entry of f.get(3) ?? []) {
    if (!Buffer.isBuffer(entry)) continue;
    const e = readFields(entry);
    metadata[str(e.get(1)?.[0])] = str(e.get(2)?.[0]);
  }
  return { reason: str(f.get(1)?.[0]), domain: str(f.get(2)?.[0]), metadata };
}

/** Decodes `grpc-status-details-bin`; throws on malformed bytes. */
export function decodeStatusDetails(buf: Buffer): StatusDetails {
  const f = readFields(buf);
  const code = f.get(1)?.[0];
  const errorInfos: ErrorInfo[] = [];
  for (const any of f.get(3) ?? []) {
    if (!Buffer.isBuffer(any)) continue;
    const a = readFields(any);
    const value = a.get(2)?.[0];
    if (str(a.get(1)?.[0]) === ERROR_INFO_TYPE_URL && Buffer.isBuffer(value)) errorInfos.push(decodeErrorInfo(value));
  }
  return { code: typeof code === 'number' ? code : 0, message: str(f.get(2)?.[0]), errorInfos };
}
