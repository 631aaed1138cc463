import { formatConfigIssue } from '../../domain/config/issue.ts';
import { readFileSync, statSync } from 'node:fs';
import { inspect } from 'node:util';
import { z } from 'zod';

/** The credential fields ccxt knows (`exchange.requiredCredentials`) that perp-arb's venues use. */
export const CREDENTIAL_FIELDS = ['apiKey', 'secret', 'password', 'uid', 'walletAddress', 'privateKey'] as const;
export type CredentialField = (typeof CREDENTIAL_FIELDS)[number];

const ENV_SUFFIX: Record<CredentialField, string> = {
  apiKey: 'API_KEY',
  secret: 'SECRET',
  password: 'PASSWORD',
  uid: 'UID',
  walletAddress: 'WALLET_ADDRESS',
  privateKey: 'PRIVATE_KEY',
};

/** `PERP_ARB_<VENUE>_<FIELD>`, e.g. PERP_ARB_OKX_PASSWORD (OKX and Bitget call it the passphrase). */
export function credentialEnvName(venue: string, field: CredentialField): string {
  return `PERP_ARB_${venue.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${ENV_SUFFIX[field]}`;
}

/**
 * One venue's API credentials. The values live in a private field: `util.inspect`, `String()`,
 * `JSON.stringify` and template strings show only which fields are set, never a value.
 */
export class VenueCredentials {
  readonly venue: string;
  /** Where they came from: 'environment' or the key file's path. */
  readonly source: string;
  readonly #values: Partial<Record<CredentialField, string>>;

  constructor(venue: string, source: string, values: Partial<Record<CredentialField, string>>) {
    this.venue = venue;
    this.source = source;
    this.#values = { ...values };
  }

  /** The fields that are set. */
  fields(): CredentialField[] {
    return CREDENTIAL_FIELDS.filter((f) => this.#values[f] !== undefined);
  }

  get(field: CredentialField): string | undefined {
    return this.#values[field];
  }

  /** Every value, to scrub from messages. */
  secrets(): string[] {
    return Object.values(this.#values).filter((v): v is string => typeof v === 'string' && v !== '');
  }

  /** Copies the credentials onto a ccxt exchange (which then holds them as plain properties: never print it). */
  applyTo(exchange: Partial<Record<CredentialField, string>>): void {
    for (const field of this.fields()) exchange[field] = this.#values[field];
  }

  toString(): string {
    return `VenueCredentials(${this.venue} from ${this.source}: ${this.fields().join(', ')} [redacted])`;
  }

  toJSON(): { venue: string; source: string; fields: CredentialField[] } {
    return { venue: this.venue, source: this.source, fields: this.fields() };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** The credentials a ccxt exchange requires (`exchange.requiredCredentials`), among those perp-arb reads. */
export function requiredCredentialFields(required: Record<string, boolean | undefined>): CredentialField[] {
  const unknown = Object.entries(required).filter(([k, v]) => v === true && !(CREDENTIAL_FIELDS as readonly string[]).includes(k));
  if (unknown.length) throw new Error(`ccxt requires credentials perp-arb cannot supply: ${unknown.map(([k]) => k).join(', ')}`);
  return CREDENTIAL_FIELDS.filter((f) => required[f] === true);
}

/** The environment variables, read for the fields the venue requires (other fields are taken when set). */
export function credentialsFromEnv(venue: string, required: readonly CredentialField[], env: NodeJS.ProcessEnv = process.env): VenueCredentials {
  const values: Partial<Record<CredentialField, string>> = {};
  for (const field of CREDENTIAL_FIELDS) {
    const value = env[credentialEnvName(venue, field)];
    if (value !== undefined && value !== '') values[field] = value;
  }
  const missing = required.filter((f) => values[f] === undefined);
  if (missing.length) {
    throw new Error(
      `${venue}: missing credentials: set ${missing.map((f) => credentialEnvName(venue, f)).join(', ')} in the environment, or pass --key-file FILE`,
    );
  }
  return new VenueCredentials(venue, 'environment', values);
}

const venueEntrySchema = z.strictObject({
  apiKey: z.string().min(1).optional(),
  secret: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  uid: z.string().min(1).optional(),
  walletAddress: z.string().min(1).optional(),
  privateKey: z.string().min(1).optional(),
});
const keyFileSchema = z.record(z.string(), venueEntrySchema);

/** Group or other permission bits: a key file must be readable by its owner only (chmod 600). */
const NOT_OWNER_ONLY = 0o077;

/**
 * A JSON key file holding one entry per venue:
 * `{ "binance": { "apiKey": "...", "secret": "..." }, "okx": { "apiKey": "...", "secret": "...", "password": "..." } }`.
 * Refused when group or others may read or write it. Error messages name the file, the venue and
 * the fields, never a value.
 */
export function credentialsFromKeyFile(path: string, venue: string, required: readonly CredentialField[]): VenueCredentials {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    throw new Error(`key file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (process.platform !== 'win32' && (mode & NOT_OWNER_ONLY) !== 0) {
    throw new Error(`key file ${path}: refused, it is readable or writable by group or others (mode ${(mode & 0o777).toString(8).padStart(3, '0')}); run chmod 600 ${path}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // The parser's message quotes the text near the error, which may be a secret.
    throw new Error(`key file ${path}: not valid JSON`);
  }
  const result = keyFileSchema.safeParse(parsed);
  if (!result.success) {
    // Parsed without reportInput: no value of the file (a secret) is in the message.
    const where = result.error.issues.map((issue) => formatConfigIssue(issue));
    throw new Error(`key file ${path}: ${where.join('; ')} (expected { "<venue>": { "apiKey": ..., "secret": ..., "password": ... } })`);
  }
  const entry = result.data[venue];
  if (!entry) throw new Error(`key file ${path}: no entry for venue '${venue}' (it has: ${Object.keys(result.data).join(', ') || 'none'})`);
  const missing = required.filter((f) => entry[f] === undefined);
  if (missing.length) throw new Error(`key file ${path}: ${venue} is missing ${missing.join(', ')}`);
  return new VenueCredentials(venue, path, entry);
}

export interface ResolveCredentialsOptions {
  keyFile?: string;
  env?: NodeJS.ProcessEnv;
}

/** From the key file when one is given, else from the environment. */
export function resolveCredentials(venue: string, required: readonly CredentialField[], options: ResolveCredentialsOptions = {}): VenueCredentials {
  return options.keyFile !== undefined ? credentialsFromKeyFile(options.keyFile, venue, required) : credentialsFromEnv(venue, required, options.env);
}
