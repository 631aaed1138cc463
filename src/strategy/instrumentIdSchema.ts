import { z } from 'zod';
import { VENUE_ID_RE } from '../domain/config/keys.ts';
import { parseInstrumentId } from '../domain/instrument.ts';

/** A config field 'venue:SYMBOL' (e.g. binance:BTC/USDT:USDT), parsed to { venue, symbol }; a bad one names the problem. */
export const instrumentIdSchema = z
  .string()
  .max(100)
  .transform((text, ctx) => {
    try {
      const id = parseInstrumentId(text);
      if (!VENUE_ID_RE.test(id.venue)) throw new Error(`'${id.venue}' is not a venue id (lower case letters, digits, _ and -, e.g. binance)`);
      return id;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
