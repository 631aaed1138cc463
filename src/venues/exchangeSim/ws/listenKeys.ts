import { randomBytes } from 'node:crypto';
import type { ExchangeAccount } from '../accounts/exchangeAccount.ts';
import type { WalletId } from '../accounts/accountSpec.ts';

/** Binance listen keys live 60 minutes unless kept alive (PUT). */
const LISTEN_KEY_TTL_MS = 60 * 60_000;

interface KeyEntry {
  account: ExchangeAccount;
  wallet: WalletId;
  expiresMs: number;
}

/** Binance user-data listen keys: one per account and wallet, reissued unchanged while alive, as Binance does. */
export class ListenKeys {
  private readonly keys = new Map<string, KeyEntry>();

  constructor(private readonly wallNowMs: () => number) {}

  create(account: ExchangeAccount, wallet: WalletId): string {
    const now = this.wallNowMs();
    for (const [key, entry] of this.keys) {
      if (entry.account === account && entry.wallet === wallet && entry.expiresMs > now) {
        entry.expiresMs = now + LISTEN_KEY_TTL_MS;
        return key;
      }
    }
    const key = randomBytes(32).toString('hex');
    this.keys.set(key, { account, wallet, expiresMs: now + LISTEN_KEY_TTL_MS });
    return key;
  }

  keepAlive(account: ExchangeAccount, wallet: WalletId): boolean {
    for (const entry of this.keys.values()) {
      if (entry.account === account && entry.wallet === wallet) {
        entry.expiresMs = this.wallNowMs() + LISTEN_KEY_TTL_MS;
        return true;
      }
    }
    return false;
  }

  remove(account: ExchangeAccount, wallet: WalletId): void {
    for (const [key, entry] of this.keys) if (entry.account === account && entry.wallet === wallet) this.keys.delete(key);
  }

  resolve(key: string): KeyEntry | undefined {
    const entry = this.keys.get(key);
    return entry !== undefined && entry.expiresMs > this.wallNowMs() ? entry : undefined;
  }
}
