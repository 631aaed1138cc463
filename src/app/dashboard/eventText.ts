import type { EngineEvent } from '../../engine/events.ts';
import type { DashboardEvent } from './dashboardTypes.ts';

const usd = (x: number) => `${x < 0 ? '-' : ''}$${Math.abs(x).toFixed(2)}`;

/** One line for the page's event list, or null for events it does not list (market, equity, signals, progress). */
export function describeEvent(e: EngineEvent): { ts: number; kind: DashboardEvent['kind']; text: string } | null {
  switch (e.type) {
    case 'intent': {
      const i = e.intent;
      const what = i.kind === 'openPair' ? `open ${i.id}: long ${i.long.venue}:${i.long.symbol}, short ${i.short.venue}:${i.short.symbol}, ${usd(i.notionalUsd)} (${i.reason})` : `close ${i.id} (${i.reason})`;
      return e.dropped === null ? { ts: e.ts, kind: 'intent', text: what } : { ts: e.ts, kind: 'denial', text: `denied ${what}: ${e.dropped}` };
    }
    case 'order':
      return { ts: e.ts, kind: 'order', text: `${e.venue}:${e.symbol} ${e.clientOrderId} ${e.status}${e.filledQuantity > 0 ? ` filled ${e.filledQuantity}` : ''}${e.reason ? `: ${e.reason}` : ''}` };
    case 'fill': {
      const f = e.fill;
      const owner = e.order ? ` (${e.order.pairId} ${e.order.leg} ${e.order.purpose})` : f.origin ? ` (${f.origin})` : '';
      return { ts: f.ts, kind: 'fill', text: `${f.venue}:${f.symbol} ${f.side} ${f.quantity} @ ${f.price} fee ${usd(e.feeUsd + e.liquidationFeeUsd)}${owner}` };
    }
    case 'execution': {
      const x = e.event;
      const detail = 'reasons' in x && x.reasons.length > 0 ? `: ${x.reasons.join('; ')}` : 'reason' in x ? `: ${x.reason}` : '';
      return { ts: x.ts, kind: 'execution', text: `${x.type} ${x.id}${detail}` };
    }
    case 'funding':
      return { ts: e.payment.ts, kind: 'funding', text: `${e.payment.venue}:${e.payment.symbol} funding ${usd(e.amountUsd)} at rate ${(e.payment.fundingRatePerInterval * 100).toFixed(4)}%` };
    case 'liquidation': {
      const l = e.liquidation;
      return { ts: l.ts, kind: 'liquidation', text: `${l.venue}:${l.symbol} LIQUIDATED ${l.positionQty} @ ${l.price}, fee ${l.liquidationFee} ${l.feeAsset}` };
    }
    case 'tradingState': {
      const c = e.change;
      const what = c.kind === 'pause' ? (c.state === 'REDUCING' ? 'new entries paused' : 'new entries resumed') : `${c.venue ?? 'session'} ${c.previous} -> ${c.state}`;
      return { ts: c.ts, kind: 'risk', text: `${what} by ${c.source}${c.reason ? `: ${c.reason}` : ''}` };
    }
    case 'risk': {
      const a = e.action;
      return { ts: a.ts, kind: 'risk', text: `risk ${a.kind} ${a.rule}${a.pairId ? ` ${a.pairId}` : ''}${a.venue ? ` on ${a.venue}` : ''}: ${a.reason}` };
    }
    case 'error':
      return { ts: e.ts, kind: 'error', text: `${e.source}: ${e.message}` };
    default:
      return null;
  }
}
