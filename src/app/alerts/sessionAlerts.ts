import type { Engine } from '../../engine/engine.ts';
import type { EngineEvent } from '../../engine/events.ts';
import type { EventStream } from '../../engine/eventStream.ts';
import { AlertRules } from './alertRules.ts';
import { alertChannelsFromEnv } from './alertsFromEnv.ts';
import { AlertDispatcher } from './dispatcher.ts';

export interface SessionAlerts {
  rules: AlertRules;
  dispatcher: AlertDispatcher;
  observe: (events: EventStream<EngineEvent>, engine: Engine) => void;
  /** The day's summary, then up to `waitMs` for deliveries still queued. */
  finish(waitMs?: number): Promise<void>;
}

/** A session's alerts when the environment configures a channel (alertsFromEnv.ts); null when none does. */
export function sessionAlertsFromEnv(env: NodeJS.ProcessEnv, source: string, log: (line: string) => void): SessionAlerts | null {
  const channels = alertChannelsFromEnv(env, source);
  if (channels.length === 0) return null;
  const dispatcher = new AlertDispatcher(channels, { log });
  const rules = new AlertRules((alert) => dispatcher.notify(alert));
  log(`alerts         ${dispatcher.channelNames.join(', ')} (from the environment)`);
  return {
    rules,
    dispatcher,
    observe: (events, engine) => rules.attach(events, engine),
    async finish(waitMs = 15_000) {
      rules.flushDay();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([dispatcher.idle(), new Promise<void>((done) => (timer = setTimeout(done, waitMs)))]);
      clearTimeout(timer);
      dispatcher.close();
    },
  };
}
