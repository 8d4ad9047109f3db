/**
 * Decides when a fallback raises an alert: at once for the first fallback of an incident (a fallback
 * after `healthyPeriodMs` without one, or the first ever), then at most once per `intervalMs`, carrying
 * the number of fallbacks since the previous alert.
 */
export class AlertPolicy {
  private lastFallbackAt = Number.NEGATIVE_INFINITY;
  private lastAlertAt = Number.NEGATIVE_INFINITY;
  private incidentStartedAt = 0;
  private sinceLastAlert = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly healthyPeriodMs: number,
  ) {}

  /** Records one fallback at `now`; returns the alert to raise, or null. */
  onFallback(now: number): { fallbacksSinceLastAlert: number; incidentStartedAt: number } | null {
    const newIncident = now - this.lastFallbackAt > this.healthyPeriodMs;
    this.lastFallbackAt = now;
    this.sinceLastAlert++;
    if (newIncident) this.incidentStartedAt = now;
    if (!newIncident && now - this.lastAlertAt < this.intervalMs) return null;
    const alert = { fallbacksSinceLastAlert: this.sinceLastAlert, incidentStartedAt: this.incidentStartedAt };
    this.lastAlertAt = now;
    this.sinceLastAlert = 0;
    return alert;
  }
}
