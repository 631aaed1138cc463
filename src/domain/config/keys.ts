import { z } from 'zod';

/** Names used as config keys and values: validated like every other field, never printed unescaped. */

/** An asset code as in ccxt unified symbols (src/domain/symbol.ts): USDT, BTC, 1000PEPE. */
export const ASSET_RE = /^[A-Z0-9]{1,20}$/;
export const assetNameSchema = z.string().regex(ASSET_RE, 'an asset code in capitals and digits, e.g. USDT or BTC (1 to 20 characters)');

/** A venue id as ccxt spells them (binance, okx, gateio) or 'synthetic'. */
export const VENUE_ID_RE = /^[a-z][a-z0-9_-]{0,31}$/;
export const venueIdSchema = z.string().regex(VENUE_ID_RE, 'a venue id in lower case, e.g. binance or synthetic (1 to 32 characters)');

/** A dotted sweep grid path: names and list indexes, e.g. venues.0.halfSpreadBps. */
export const GRID_PATH_RE = /^(?:[A-Za-z_][A-Za-z0-9_]*|\d+)(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|\d+)){0,15}$/;
/** Names every JS object inherits: a path through them would write into the objects all others are made from. */
export const INHERITED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
export const gridPathSchema = z
  .string()
  .regex(GRID_PATH_RE, 'a dotted path of names and list indexes, e.g. venues.0.halfSpreadBps')
  .refine((path) => !path.split('.').some((segment) => INHERITED_KEYS.has(segment)), 'a path of config keys (__proto__, constructor and prototype are none)');
