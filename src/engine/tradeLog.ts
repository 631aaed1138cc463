import type { Fill, FillOrigin, FundingPayment } from '../domain/trading.ts';
import type { BorrowInterestEvent } from '../venues/tradingTypes.ts';
import type { EngineEvent } from './events.ts';
import type { EventStream } from './eventStream.ts';

/** Why a fill happened: an order of the strategy's executor, or the venue closing a position (the fill's origin). */
export type FillKind = FillOrigin;

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

  attach(stream: EventStream<EngineEvent>): () => void {
    return stream.subscribe((event) => this.onEvent(event), { name: 'trade log', types: ['fill', 'funding', 'borrow'] });
  }

  private onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'fill':
        // feeUsd: the USD value of the fill's own fee, a liquidation's fee included (kind tells them apart).
        this.fills.push({ fill: event.fill, kind: event.fill.origin ?? 'order', notionalUsd: event.notionalUsd, feeUsd: event.feeUsd + event.liquidationFeeUsd });
        break;
      case 'funding':
        this.funding.push({ payment: event.payment, amountUsd: event.amountUsd });
        break;
      case 'borrow':
        if (event.interest.interest > 0) this.borrow.push(event.interest);
        break;
    }
  }
}
