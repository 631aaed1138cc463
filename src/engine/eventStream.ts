/** A listener of the stream; `name` says who it is when it fails. */
export interface Subscription {
  name: string;
  /** Only these event types (all when omitted). */
  types?: readonly string[];
}

export interface SubscriberFailure {
  name: string;
  eventType: string;
  message: string;
}

type Listener<E> = (event: E) => void;

/**
 * One typed stream of everything the engine does. Subscribers (the run recorder, the progress bar,
 * the report, later the dashboard, metrics and alerts) each get the events of the types they asked
 * for, in order. A subscriber that throws is detached and reported (an `error` event to the others
 * and `failures`); it never stops the engine.
 */
export class EventStream<E extends { type: string }> {
  private readonly all: { listener: Listener<E>; name: string }[] = [];
  private readonly byType = new Map<string, { listener: Listener<E>; name: string }[]>();
  readonly failures: SubscriberFailure[] = [];

  constructor(private readonly errorEvent: (failure: SubscriberFailure) => E) {}

  subscribe(listener: Listener<E>, subscription: Subscription): () => void {
    const entry = { listener, name: subscription.name };
    const lists = subscription.types === undefined ? [this.all] : subscription.types.map((type) => this.listFor(type));
    for (const list of lists) list.push(entry);
    return () => {
      for (const list of lists) {
        const i = list.indexOf(entry);
        if (i >= 0) list.splice(i, 1);
      }
    };
  }

  /** Whether anyone listens to `type` (the engine builds per-event objects only then). */
  wants(type: E['type']): boolean {
    return this.all.length > 0 || (this.byType.get(type)?.length ?? 0) > 0;
  }

  emit(event: E): void {
    const typed = this.byType.get(event.type);
    if (typed !== undefined && typed.length > 0) this.deliver(typed, event);
    if (this.all.length > 0) this.deliver(this.all, event);
  }

  private deliver(list: { listener: Listener<E>; name: string }[], event: E): void {
    // A copy: a failing listener is removed while the others still get this event.
    for (const entry of list.length === 1 ? list : [...list]) {
      try {
        entry.listener(event);
      } catch (error) {
        this.detach(entry);
        const failure = { name: entry.name, eventType: event.type, message: error instanceof Error ? error.message : String(error) };
        this.failures.push(failure);
        this.emit(this.errorEvent(failure));
      }
    }
  }

  private detach(entry: { listener: Listener<E>; name: string }): void {
    for (const list of [this.all, ...this.byType.values()]) {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
    }
  }

  private listFor(type: string): { listener: Listener<E>; name: string }[] {
    let list = this.byType.get(type);
    if (list === undefined) {
      list = [];
      this.byType.set(type, list);
    }
    return list;
  }
}
