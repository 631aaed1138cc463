import type { FundingHistory, MarketInterface as Market, Trade } from 'ccxt';
import type { AccountFundingRow, AccountTrade } from '../tradingTypes.ts';
import { VenueError } from '../types.ts';
import { contractsToQuantity } from './accountMapping.ts';
import { finiteOrNull } from './validate.ts';

const infoOf = (value: { info?: unknown }): Record<string, unknown> => (typeof value.info === 'object' && value.info !== null ? (value.info as Record<string, unknown>) : {});

function badResponse(venue: string, method: string, detail: string): VenueError {
  return new VenueError(venue, method, 'badResponse', detail, false);
}

/**
 * The fee of a trade in one asset: ccxt's `fees` (summed per currency) or `fee`. Bybit's own
 * `feeCurrency` is taken over ccxt's guess (ccxt assumes a spot buy pays in the base coin).
 * Fees in two currencies cannot be one fill's fee: a bad response.
 */
function feeOf(ccxtId: string, venue: string, method: string, trade: Trade): { fee: number | null; feeAsset: string | null } {
  const listed = (trade as { fees?: { cost?: unknown; currency?: unknown }[] }).fees;
  const parts = Array.isArray(listed) && listed.length > 0 ? listed : trade.fee ? [trade.fee] : [];
  let fee: number | null = null;
  let asset: string | null = null;
  for (const part of parts) {
    const cost = finiteOrNull(part.cost);
    if (cost === null) continue;
    const currency = typeof part.currency === 'string' ? part.currency : null;
    if (asset !== null && currency !== null && currency !== asset) throw badResponse(venue, method, `trade ${trade.id}: fees in ${asset} and ${currency}`);
    asset = currency ?? asset;
    fee = (fee ?? 0) + cost;
  }
  const venueCurrency = infoOf(trade).feeCurrency;
  if (ccxtId === 'bybit' && typeof venueCurrency === 'string' && venueCurrency !== '') asset = venueCurrency;
  return { fee, feeAsset: asset };
}

/** A ccxt trade of the account. Id, side, amount and price are required; the rest is null when not given. */
export function toAccountTrade(ccxtId: string, venue: string, method: string, trade: Trade, market: Market): AccountTrade {
  if (typeof trade.id !== 'string' || trade.id === '') throw badResponse(venue, method, `${market.symbol}: a trade without an id`);
  if (trade.side !== 'buy' && trade.side !== 'sell') throw badResponse(venue, method, `trade ${trade.id}: side ${String(trade.side)}`);
  const amount = finiteOrNull(trade.amount);
  const price = finiteOrNull(trade.price);
  if (amount === null || !(amount > 0)) throw badResponse(venue, method, `trade ${trade.id}: amount ${String(trade.amount)}`);
  if (price === null || !(price > 0)) throw badResponse(venue, method, `trade ${trade.id}: price ${String(trade.price)}`);
  const clientOrderId = (trade as { clientOrderId?: unknown }).clientOrderId ?? infoOf(trade).orderLinkId ?? infoOf(trade).clOrdId;
  return {
    venue,
    symbol: market.symbol,
    tradeId: trade.id,
    orderId: typeof trade.order === 'string' && trade.order !== '' ? trade.order : null,
    clientOrderId: typeof clientOrderId === 'string' && clientOrderId !== '' ? clientOrderId : null,
    side: trade.side,
    quantity: contractsToQuantity(amount, market, venue),
    price,
    ...feeOf(ccxtId, venue, method, trade),
    liquidity: trade.takerOrMaker === 'maker' || trade.takerOrMaker === 'taker' ? trade.takerOrMaker : null,
    venueTimeMs: finiteOrNull(trade.timestamp),
  };
}

const numberOf = (value: unknown): number | null => (typeof value === 'string' && value.trim() !== '' ? finiteOrNull(Number(value)) : finiteOrNull(value));

/**
 * A row of ccxt's fetchFundingHistory. Bybit lists funding among executions: `feeRate` is the rate,
 * `execPrice` the mark, `execQty` with `side` the position (Buy: long), `execFee` the payment (positive: paid).
 * Elsewhere the row carries the amount received only.
 */
export function toAccountFundingRow(ccxtId: string, venue: string, row: FundingHistory, market: Market): AccountFundingRow {
  const method = 'fetchFundingHistory';
  const time = finiteOrNull(row.timestamp);
  const amount = finiteOrNull(row.amount);
  if (time === null) throw badResponse(venue, method, `${market.symbol}: a funding row without a time`);
  if (amount === null) throw badResponse(venue, method, `${market.symbol}: the funding row at ${time} has no amount`);
  const asset = typeof row.code === 'string' && row.code !== '' ? row.code : (market.settle ?? market.quote);
  const out: AccountFundingRow = {
    venue,
    symbol: market.symbol,
    id: typeof row.id === 'string' && row.id !== '' ? row.id : String(time),
    venueTimeMs: time,
    amount,
    asset,
    fundingRatePerInterval: null,
    markPrice: null,
    positionQty: null,
  };
  if (ccxtId === 'bybit') {
    const info = infoOf(row);
    const qty = numberOf(info.execQty);
    // ccxt's amount is Bybit's execFee (positive: paid), its code always USDT (USDC perps settle in USDC).
    out.amount = amount === 0 ? 0 : -amount;
    if (typeof info.feeCurrency === 'string' && info.feeCurrency !== '') out.asset = info.feeCurrency;
    out.fundingRatePerInterval = numberOf(info.feeRate);
    out.markPrice = numberOf(info.execPrice) ?? numberOf(info.markPrice);
    if (qty !== null && (info.side === 'Buy' || info.side === 'Sell')) out.positionQty = (info.side === 'Buy' ? 1 : -1) * contractsToQuantity(qty, market, venue);
  }
  return out;
}
