import type { CallOutcome } from './outcome.ts';

/**
 * How the cases of a property ended (rows kept or not, which error), printed with FUZZ_STATS=1:
 * a property whose every case ends in the same early error tests little.
 */
export class Tally {
  private readonly counts = new Map<string, number>();
  constructor(private readonly label: string) {}

  add(outcome: CallOutcome): void {
    const detail = process.env.FUZZ_STATS === 'messages' && outcome.ended === 'error' ? `: ${outcome.message.replace(/^\S*: /, '').slice(0, 70)}` : '';
    const rows = outcome.ended === 'result' ? (outcome.summary.kept ?? outcome.summary.added) : undefined;
    const key = outcome.ended === 'error' ? `${outcome.errorClass}${detail}` : rows === undefined ? 'result' : Number(rows) > 0 ? 'rows kept' : 'no rows kept';
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  print(): void {
    if (!process.env.FUZZ_STATS) return;
    const parts = [...this.counts].sort((a, b) => b[1] - a[1]).map(([key, n]) => `${n} ${key}`);
    process.stdout.write(`fuzz stats ${this.label}: ${parts.join(', ')}\n`);
  }
}
