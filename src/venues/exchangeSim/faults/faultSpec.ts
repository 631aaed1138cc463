import { UsageError } from '../../../core/errors.ts';

/**
 * `--faults SPEC`: comma-separated rules `KIND[@SCOPE[+SCOPE...]]:RATE[:ARG]`.
 * - KIND: 429 (answered with Retry-After: ARG seconds, default 1, and the venue's rate-limit body;
 *   every request to that venue gets 429 until then), 5xx (HTTP ARG, default 503), timeout (no
 *   answer: the request is held until the client gives up), drop (the socket is closed before the
 *   request is processed), lostReply (the request IS processed, e.g. the order placed, then the
 *   socket is closed without an answer).
 * - SCOPE (all must match; none: every request): public, private, binance, bybit, an endpoint name
 *   (createOrder, cancelOrder, fetchOrder, fetchOpenOrders, fetchBalance, fetchPositions, ...; see
 *   the README), or a request path starting with / (e.g. /fapi/v1/order); `ws` scopes a drop rule
 *   to the websocket streams (the connection is closed instead of sending a message).
 * - RATE: probability in [0, 1] per matching request, drawn from a generator seeded by --seed.
 * Example: 429:0.05,5xx:0.02,timeout:0.01,drop:0.01,lostReply@createOrder:0.02
 */
export type FaultKind = '429' | '5xx' | 'timeout' | 'drop' | 'lostReply';
export const FAULT_KINDS: readonly FaultKind[] = ['429', '5xx', 'timeout', 'drop', 'lostReply'];

export interface FaultRule {
  kind: FaultKind;
  scopes: string[];
  rate: number;
  /** 429: Retry-After seconds; 5xx: the HTTP status. */
  arg: number;
  text: string;
}

const DEFAULT_ARG: Record<FaultKind, number> = { '429': 1, '5xx': 503, timeout: 0, drop: 0, lostReply: 0 };

export function parseFaultSpec(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const raw of spec.split(',')) {
    const text = raw.trim();
    if (text === '') continue;
    const bad = (why: string) => new UsageError(`--faults: '${text}': ${why} (rules are KIND[@SCOPE]:RATE[:ARG], e.g. 429:0.05 or lostReply@createOrder:0.1)`);
    const parts = text.split(':');
    if (parts.length < 2 || parts.length > 3) throw bad('expected KIND[@SCOPE]:RATE[:ARG]');
    const [head, rateText, argText] = parts;
    const at = head.indexOf('@');
    const kind = (at < 0 ? head : head.slice(0, at)) as FaultKind;
    if (!FAULT_KINDS.includes(kind)) throw bad(`unknown kind '${kind}' (use ${FAULT_KINDS.join(', ')})`);
    const scopes = at < 0 ? [] : head.slice(at + 1).split('+').map((s) => s.trim());
    if (scopes.some((s) => s === '')) throw bad('empty scope');
    const rate = Number(rateText);
    if (rateText.trim() === '' || !(rate >= 0 && rate <= 1)) throw bad(`rate '${rateText}' is not a probability from 0 to 1`);
    let arg = DEFAULT_ARG[kind];
    if (argText !== undefined) {
      arg = Number(argText);
      if (kind === '429' && !(Number.isInteger(arg) && arg >= 0 && arg <= 3600)) throw bad(`Retry-After '${argText}' is not whole seconds from 0 to 3600`);
      else if (kind === '5xx' && !(Number.isInteger(arg) && arg >= 500 && arg <= 599)) throw bad(`status '${argText}' is not 500 to 599`);
      else if (kind !== '429' && kind !== '5xx') throw bad(`${kind} takes no argument`);
    }
    rules.push({ kind, scopes, rate, arg, text });
  }
  return rules;
}
