import { InputError } from '../../core/errors.ts';

/** The argument as a POSIX shell word: unchanged when it is plain, else single-quoted. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** The command that checks a store and quarantines what is damaged. */
export const repairCommand = (root: string): string => `perp-arb data check --store ${shellWord(root)} --repair`;

/** A partition a reader needs cannot be read: names it, its file and the repair command, in one line. */
export class StorePartitionError extends InputError {
  readonly partition: string;
  readonly file: string | null;

  constructor(root: string, partition: string, file: string | null, problem: string) {
    super({ source: root }, `partition ${partition}${file ? ` (${file})` : ''} ${problem}; repair with: ${repairCommand(root)}`);
    this.name = 'StorePartitionError';
    this.partition = partition;
    this.file = file;
  }
}
