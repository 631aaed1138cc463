import { z } from 'zod';
import { parseInstrumentId } from '../domain/instrument.ts';

/** A config field 'venue:SYMBOL' (e.g. binance:BTC/USDT:USDT), parsed to { venue, symbol }; a bad one names the problem. */
export const instrumentIdSchema = z.string().transform((text, ctx) => {
  try {
    return parseInstrumentId(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
