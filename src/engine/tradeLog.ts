import type { Fill, FundingPayment } from '../domain/trading.ts';
import type { BorrowInterestEvent } from '../venues/tradingTypes.ts';
import type { EngineEvent } from './events.ts';
import type { EventStream } from './eventStream.ts';

/** Why a fill happened: an order of the strategy's executor, or the venue closing a position. */
export type FillKind = 'order' | 'liquidation' | 'expiry';

/** A fill as the venue reported it, with its USD values and what caused it. */
export interface FillDetail {
  fill: Fill;
  kind: FillKind;
  notionalUsd: number;
  feeUsd: number;
}

export interface FundingDetail {
  payment: FundingPayment;
  amountUsd: number;
}

/**
 * The full fills, funding payments and borrow charges of a run, kept by subscribing to the engine's
 * event stream (the run recorder keeps only the USD figures the metrics need). For exports
 * (`--out-dir`): attach it before the run, read it after.
 */
export class TradeLog {
  readonly fills: FillDetail[] = [];
  readonly funding: FundingDetail[] = [];
  readonly borrow: BorrowInterestEvent[] = [];
  /** fillIds of liquidation or expiry events whose fill event has not come yet. */
  private readonly venueCloses = new Map<string, FillKind>();

  attach(stream: EventStream<EngineEvent>): () => void {
    return stream.subscribe((event) => this.onEvent(event), { name: 'trade log', types: ['fill', 'funding', 'borrow', 'liquidation', 'expiry'] });
  }

  /** The venue's fill comes just before its liquidation or expiry event (the other order is handled too). */
  private markVenueClose(fillId: string, kind: FillKind): void {
    for (let k = this.fills.length - 1; k >= 0; k--) {
      if (this.fills[k].fill.fillId === fillId) {
        this.fills[k].kind = kind;
        return;
      }
    }
    this.venueCloses.set(fillId, kind);
  }

  private onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'liquidation':
        this.markVenueClose(event.liquidation.fillId, 'liquidation');
        break;
      case 'expiry':
        this.markVenueClose(event.settlement.fillId, 'expiry');
        break;
      case 'fill': {
        const kind = this.venueCloses.get(event.fill.fillId) ?? 'order';
        this.venueCloses.delete(event.fill.fillId);
        this.fills.push({ fill: event.fill, kind, notionalUsd: event.notionalUsd, feeUsd: event.feeUsd });
        break;
      }
      case 'funding':
        this.funding.push({ payment: event.payment, amountUsd: event.amountUsd });
        break;
      case 'borrow':
        if (event.interest.interest > 0) this.borrow.push(event.interest);
        break;
    }
  }
}
