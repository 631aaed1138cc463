/**
 * A submit whose outcome is unknown: the request may or may not have reached the venue (timeout,
 * 5xx, dropped connection, lost reply). The order stays in flight under its client order id until an
 * order update, a fetch by client id or reconciliation settles it; it is never assumed failed and
 * never re-sent under a new id.
 */
export class OrderInFlightError extends Error {
  readonly venue: string;
  readonly clientOrderId: string;
  /** What ended the send (the venue error's message). */
  readonly detail: string;
  constructor(venue: string, clientOrderId: string, detail: string) {
    super(`${venue} order ${clientOrderId} is in flight (outcome unknown, settled by order updates, fetches by client id and reconciliation): ${detail}`);
    this.name = 'OrderInFlightError';
    this.venue = venue;
    this.clientOrderId = clientOrderId;
    this.detail = detail;
  }
}
