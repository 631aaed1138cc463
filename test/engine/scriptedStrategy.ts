import type { InstrumentRef, Intent, MarketUpdate, Strategy, StrategyContext } from '../../src/strategy/types.ts';
import { NO_INTENTS } from '../../src/strategy/types.ts';

/** A step of a script: at the first update at or after `atMs` on which every listed leg has a price, emit `intent`. */
export interface ScriptStep {
  atMs: number;
  intent: Intent;
}

/** A strategy that only follows a script (open / close at given times), so engine tests control every trade. */
export class ScriptedStrategy implements Strategy {
  readonly name = 'scripted';
  private next = 0;

  constructor(
    private readonly legs: readonly InstrumentRef[],
    private readonly steps: readonly ScriptStep[],
  ) {}

  instruments(): readonly InstrumentRef[] {
    return this.legs;
  }

  onEvent(update: MarketUpdate, context: StrategyContext): readonly Intent[] {
    const step = this.steps[this.next];
    if (step === undefined || update.timeMs < step.atMs) return NO_INTENTS;
    for (const leg of this.legs) if (!(context.market.get(leg.venue, leg.symbol)!.price > 0)) return NO_INTENTS;
    this.next++;
    return [step.intent];
  }
}
