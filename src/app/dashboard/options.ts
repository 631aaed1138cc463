import { UsageError } from '../../core/errors.ts';

/** A --port option: an integer 0..65535 (0: any free port). */
export function portOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (text.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got '${text}'`);
  return port;
}
