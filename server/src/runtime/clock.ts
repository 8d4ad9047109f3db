/** "Now", injected wherever the sidecar needs the time; tests pass a fixed one. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** The UTC day number (days since 1970-01-01) of an instant. */
export function dayOf(instant: Date): number {
  return Math.floor(instant.getTime() / 86_400_000);
}
