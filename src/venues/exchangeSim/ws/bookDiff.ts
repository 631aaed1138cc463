import type { BookView, Level } from '../market/bookLevels.ts';

/** The levels of a book side that changed from `before` to `after`: new sizes, and size 0 for levels gone. */
export function sideDiff(before: readonly Level[], after: readonly Level[]): Level[] {
  const old = new Map(before.map(([p, q]) => [p, q]));
  const out: Level[] = [];
  const seen = new Set<number>();
  for (const [p, q] of after) {
    seen.add(p);
    if (old.get(p) !== q) out.push([p, q]);
  }
  for (const [p] of before) if (!seen.has(p)) out.push([p, 0]);
  return out;
}

export function bookDiff(before: BookView, after: BookView): BookView {
  return { bids: sideDiff(before.bids, after.bids), asks: sideDiff(before.asks, after.asks) };
}
