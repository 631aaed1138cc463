import type { EquityPoint, FillRecord, FundingRecord } from '../model/performanceMetrics.ts';
import type { ExecutionEvent } from '../execution/pairExecutor.ts';
import type { LiquidationEvent } from '../venues/tradingTypes.ts';
import type { EngineEvent } from './events.ts';
import type { EventStream } from './eventStream.ts';

/**
 * Keeps what a run's results are made of (equity curve, fills, funding, execution events,
 * liquidations) by subscribing to the engine's event stream.
 */
export class RunRecorder {
  readonly equity: EquityPoint[] = [];
  readonly fills: FillRecord[] = [];
  readonly funding: FundingRecord[] = [];
  readonly execution: ExecutionEvent[] = [];
  readonly liquidations: LiquidationEvent[] = [];

  constructor(stream: EventStream<EngineEvent>) {
    stream.subscribe((event) => this.onEvent(event), { name: 'run recorder', types: ['equity', 'fill', 'funding', 'execution', 'liquidation'] });
  }

  private onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'equity': {
        // Several samples at one time (the final point after the last event) keep the latest.
        const last = this.equity[this.equity.length - 1];
        if (last && last.ts === event.ts) last.equityUsd = event.equityUsd;
        else this.equity.push({ ts: event.ts, equityUsd: event.equityUsd });
        break;
      }
      case 'fill':
        this.fills.push({ ts: event.fill.ts, notionalUsd: event.notionalUsd, feeUsd: event.feeUsd });
        break;
      case 'funding':
        this.funding.push({ ts: event.payment.ts, amountUsd: event.amountUsd });
        break;
      case 'execution':
        this.execution.push(event.event);
        break;
      case 'liquidation':
        this.liquidations.push(event.liquidation);
        break;
    }
  }
}
