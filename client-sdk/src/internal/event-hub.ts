/**
 * A typed event hub whose handlers run isolated: one handler throwing never stops the others or the
 * call that raised the event. The error is reported to `onHandlerError`.
 */
export class EventHub<Events extends object> {
  private readonly handlers = new Map<keyof Events, Set<(payload: never) => void>>();

  constructor(private readonly onHandlerError: (event: string, error: unknown) => void) {}

  on<K extends keyof Events>(event: K, handler: (payload: Events[K]) => void): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  has(event: keyof Events): boolean {
    return (this.handlers.get(event)?.size ?? 0) > 0;
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.handlers.get(event);
    if (!set) return;
    for (const handler of set) {
      try {
        (handler as (p: Events[K]) => void)(payload);
      } catch (e) {
        this.onHandlerError(String(event), e);
      }
    }
  }
}
