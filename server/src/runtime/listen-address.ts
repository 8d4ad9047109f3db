/** A TCP listener's host and port (port 0 picks a free one). */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** `host:port` as grpc-js and people write it (IPv6 hosts in brackets). */
export function formatAddress(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
