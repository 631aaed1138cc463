/** One alert: what happened, in words and as data. `key` deduplicates (the same key within the dedupe window is sent once). */
export type AlertKind =
  | 'pairOpened'
  | 'pairClosed'
  | 'nakedLeg'
  | 'orderInFlightTooLong'
  | 'riskAction'
  | 'breakerTripped'
  | 'reconciliationDifference'
  | 'venueDisconnected'
  | 'dailySummary';

export const ALERT_KINDS: readonly AlertKind[] = ['pairOpened', 'pairClosed', 'nakedLeg', 'orderInFlightTooLong', 'riskAction', 'breakerTripped', 'reconciliationDifference', 'venueDisconnected', 'dailySummary'];

export interface Alert {
  kind: AlertKind;
  severity: 'info' | 'warning' | 'critical';
  key: string;
  /** Engine time, ms. */
  ts: number;
  text: string;
  data: Record<string, unknown>;
}

/** Where alerts go (a webhook, Telegram). `name` appears in logs; never a secret. */
export interface AlertChannel {
  readonly name: string;
  send(alert: Alert, signal: AbortSignal): Promise<void>;
}

/** A delivery failure with whether trying again may help (5xx, 429, network: yes; 4xx: no). */
export class AlertDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}
