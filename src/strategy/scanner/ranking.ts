/**
 * Ranking: active opportunities by expected net profit (net fraction x target notional) over their
 * horizon, best first; or by APR or net bps on request. Suspect and misaligned ones (flags.ts
 * RANKED_LAST_FLAGS) come after every clean one, ranked the same way among themselves. Ties break on the slot order, so a
 * ranking is deterministic. Only the ranked slots are turned into objects by the caller.
 */
import { RANKED_LAST_FLAGS } from './flags.ts';
import type { OpportunitySlot, OpportunityType } from './opportunity.ts';

export type RankKey = 'profit' | 'apr' | 'netBps';
export const RANK_KEYS: readonly RankKey[] = ['profit', 'apr', 'netBps'];

export interface RankOptions {
  /** At most this many (default: all). */
  top?: number;
  types?: readonly OpportunityType[];
  /** Only this asset (e.g. BTC). */
  asset?: string;
  sort?: RankKey;
}

const lastRank = (slot: OpportunitySlot): number => ((slot.flags & RANKED_LAST_FLAGS) === 0 ? 0 : 1);

const keyOf = (slot: OpportunitySlot, sort: RankKey): number =>
  sort === 'profit' ? slot.expectedProfitUsd : sort === 'apr' ? slot.apr : slot.netFraction;

export function rankSlots(slots: Iterable<OpportunitySlot>, options: RankOptions = {}): OpportunitySlot[] {
  const sort = options.sort ?? 'profit';
  const types = options.types && options.types.length > 0 ? new Set(options.types) : null;
  const picked: OpportunitySlot[] = [];
  for (const slot of slots) {
    if (!slot.active) continue;
    if (types && !types.has(slot.type)) continue;
    if (options.asset !== undefined && slot.assetKey !== options.asset) continue;
    picked.push(slot);
  }
  picked.sort((x, y) => lastRank(x) - lastRank(y) || keyOf(y, sort) - keyOf(x, sort) || x.slotIndex - y.slotIndex);
  return options.top === undefined ? picked : picked.slice(0, options.top);
}
