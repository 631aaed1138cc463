/** Where a bad value came from: a file and line, or a venue and channel. */
export interface SourceLocation {
  source: string;
  line?: number;
}

/** An error that names where the bad input came from. */
export class InputError extends Error {
  readonly location: SourceLocation;
  constructor(location: SourceLocation, message: string) {
    super(`${formatLocation(location)}: ${message}`);
    this.name = 'InputError';
    this.location = location;
  }
}

export function formatLocation(location: SourceLocation): string {
  return location.line === undefined ? location.source : `${location.source}:${location.line}`;
}

/** A usage or configuration error: shown to the user without a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A config file or object that fails validation (exit 2): every problem, each naming its path,
 * e.g. `sweep.json: base.data.days: must be a number in [0.000694444, 3650] days (got 1000000000)`.
 */
export class ConfigError extends UsageError {
  readonly source: string;
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super(`${source}: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.source = source;
    this.problems = problems;
  }
}
