/**
 * The drill hook on the decision path: while `active`, decisions are answered `ms` later. The
 * request path pays one boolean check when no drill runs. Only a sidecar started with
 * --allow-drills has a writable one (see server/src/drill/drill-control.ts).
 */
export interface InjectedLatency {
  readonly active: boolean;
  readonly ms: number;
}

export const NO_INJECTED_LATENCY: InjectedLatency = Object.freeze({ active: false, ms: 0 });

/** `value` now, or after the injected latency while a drill is active. */
export function withInjectedLatency<T>(latency: InjectedLatency, value: T): T | Promise<T> {
  if (!latency.active) return value;
  return new Promise<T>((resolve) => setTimeout(() => resolve(value), latency.ms));
}
