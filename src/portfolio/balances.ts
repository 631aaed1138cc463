import type { Minor } from './money.ts';

/** Account balances per asset: account -> asset -> minor units. Zero balances are not stored. */
export class Balances {
  private readonly byAccount = new Map<string, Map<string, Minor>>();

  get(account: string, asset: string): Minor {
    return this.byAccount.get(account)?.get(asset) ?? 0n;
  }

  add(account: string, asset: string, amount: Minor): void {
    let assets = this.byAccount.get(account);
    if (!assets) {
      assets = new Map();
      this.byAccount.set(account, assets);
    }
    const next = (assets.get(asset) ?? 0n) + amount;
    if (next === 0n) assets.delete(asset);
    else assets.set(asset, next);
  }

  /** Every non-zero balance: [account, asset, amount]. */
  *entries(): IterableIterator<[string, string, Minor]> {
    for (const [account, assets] of this.byAccount) {
      for (const [asset, amount] of assets) yield [account, asset, amount];
    }
  }
}

/** Amounts per asset, e.g. { USDT: 12_3400_0000n, BNB: 100n }. Minor units (1e-8). */
export type AssetAmounts = Record<string, Minor>;

export function addTo(amounts: AssetAmounts, asset: string, amount: Minor): void {
  const next = (amounts[asset] ?? 0n) + amount;
  if (next === 0n) delete amounts[asset];
  else amounts[asset] = next;
}
