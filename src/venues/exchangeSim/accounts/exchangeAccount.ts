import type { ReplayCursor } from '../../../data/replay/types.ts';
import type { FillModelConfig } from '../../sim/fillModel.ts';
import type { Listing, SimVenueId } from '../listings.ts';
import { WALLET_IDS, WALLET_VENUE, type AccountSpec, type ApiKeyPair, type WalletId } from './accountSpec.ts';
import type { OrderIds } from './orderIds.ts';
import { Wallet } from './wallet.ts';

/** Default leverage and maintenance margin rate per venue (Binance BTCUSDT 20x / 0.4%, Bybit 10x / 0.5%). */
const MARGIN_DEFAULTS: Record<SimVenueId, { leverage: number; maintenanceMarginRate: number }> = {
  binance: { leverage: 20, maintenanceMarginRate: 0.004 },
  bybit: { leverage: 10, maintenanceMarginRate: 0.005 },
};

/** Which listings a wallet trades: Binance spot / USDⓈ-M apart, Bybit's unified account both. */
function walletListings(id: WalletId, listings: readonly Listing[]): Listing[] {
  const venue = WALLET_VENUE[id];
  if (id === 'binanceSpot') return listings.filter((l) => l.venue === venue && l.kind === 'spot');
  if (id === 'binanceUsdm') return listings.filter((l) => l.venue === venue && l.kind === 'perp');
  return listings.filter((l) => l.venue === venue);
}

/** One account of the exchange: its API keys (held privately) and its wallets. */
export class ExchangeAccount {
  readonly name: string;
  readonly wallets: ReadonlyMap<WalletId, Wallet>;
  readonly #keys: Partial<Record<SimVenueId, ApiKeyPair>>;

  constructor(spec: AccountSpec, listings: readonly Listing[], ids: OrderIds, nowMs: () => number, fill?: Partial<FillModelConfig>) {
    this.name = spec.name;
    this.#keys = { ...spec.keys };
    const wallets = new Map<WalletId, Wallet>();
    for (const id of WALLET_IDS) {
      const venue = WALLET_VENUE[id];
      if (spec.keys[venue] === undefined) continue;
      wallets.set(id, new Wallet({ id, venue, listings: walletListings(id, listings), balances: spec.balances[id] ?? {}, ...MARGIN_DEFAULTS[venue], fill }, ids, nowMs));
    }
    this.wallets = wallets;
  }

  wallet(id: WalletId): Wallet {
    const w = this.wallets.get(id);
    if (w === undefined) throw new Error(`account ${this.name} has no ${id} wallet`);
    return w;
  }

  apiKey(venue: SimVenueId): string | undefined {
    return this.#keys[venue]?.apiKey;
  }

  /** The secret that signs this venue's requests (never logged or returned by any route). */
  secretFor(venue: SimVenueId): string | undefined {
    return this.#keys[venue]?.secret;
  }

  onMarketData(cursor: ReplayCursor): void {
    for (const wallet of this.wallets.values()) wallet.onMarketData(cursor);
  }

  toString(): string {
    return `ExchangeAccount(${this.name})`;
  }

  toJSON(): { name: string } {
    return { name: this.name };
  }
}

/** The accounts by API key, per venue. */
export class AccountRegistry {
  readonly accounts: readonly ExchangeAccount[];
  private readonly byKey = new Map<string, ExchangeAccount>();

  constructor(accounts: readonly ExchangeAccount[]) {
    this.accounts = accounts;
    for (const account of accounts) {
      for (const venue of ['binance', 'bybit'] as const) {
        const key = account.apiKey(venue);
        if (key !== undefined) this.byKey.set(`${venue} ${key}`, account);
      }
    }
  }

  byApiKey(venue: SimVenueId, apiKey: string): ExchangeAccount | undefined {
    return this.byKey.get(`${venue} ${apiKey}`);
  }
}
