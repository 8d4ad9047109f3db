import { Client, Metadata, status, type ChannelCredentials, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import { grpcTarget } from '../registry/index.js';

/** A probe call that did not get an answer: the gRPC code by name (UNAVAILABLE, DEADLINE_EXCEEDED, ...) and grpc-js's text. */
export class ProbeFailure extends Error {
  override readonly name = 'ProbeFailure';
  constructor(
    readonly method: string,
    readonly code: string,
    readonly details: string,
  ) {
    super(`${method}: ${code}${details === '' ? '' : ` (${details})`}`);
  }
}

/**
 * One channel to a sidecar or registry for the one-shot commands (`health`, `status`): ADDR as
 * `host:port`, `unix:/path` or `unix:///path` (the forms every other command takes), one deadline
 * shared by every call made on it.
 */
export class ProbeChannel {
  readonly #client: Client;
  readonly #deadline: number;

  constructor(address: string, creds: ChannelCredentials, timeoutMs: number) {
    this.#client = new Client(grpcTarget(address), creds);
    this.#deadline = Date.now() + timeoutMs;
  }

  /** One unary call; a failed one rejects with ProbeFailure. */
  call<Res>(method: MethodDefinition<object, unknown>, request: object, metadata = new Metadata()): Promise<Res> {
    return new Promise<Res>((resolve, reject) =>
      this.#client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        metadata,
        { deadline: this.#deadline },
        (err: ServiceError | null, value?: unknown) => {
          if (!err) {
            resolve(value as Res);
            return;
          }
          // grpc-js ends some details with an empty "Resolution note: "; it says nothing, so it goes.
          const details = err.details.replace(/\.?\s*Resolution note:\s*$/, '');
          reject(new ProbeFailure(method.path, status[err.code] ?? String(err.code), details));
        },
      ),
    );
  }

  close(): void {
    this.#client.close();
  }
}
