import type { LedgerSink } from '../portfolio/ledgerTypes.ts';
import type { EngineEvent } from './events.ts';
import type { EventStream } from './eventStream.ts';

/** Writes every ledger entry and instrument of the stream to a journal (e.g. the SQLite ledger store). */
export function subscribeLedgerJournal(stream: EventStream<EngineEvent>, journal: LedgerSink): () => void {
  return stream.subscribe(
    (event) => {
      if (event.type === 'ledgerEntry') journal.entry(event.entry);
      else if (event.type === 'ledgerInstrument') journal.instrument(event.instrument);
    },
    { name: 'ledger journal', types: ['ledgerEntry', 'ledgerInstrument'] },
  );
}
