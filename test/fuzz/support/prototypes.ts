/**
 * The objects every other object is made from. A config key such as '__proto__' that some code
 * writes through changes them for the whole process (prototype pollution); the harm shows up far
 * away (another test file failed to load), so the config properties check them after every case.
 */
const SHARED = [Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype] as const;
const before = SHARED.map((proto) => new Set(Reflect.ownKeys(proto)));

/** What a case added to the shared prototypes (removed again, so later cases and files are unharmed), or null. */
export function pollutionBreach(): string | null {
  const added: string[] = [];
  SHARED.forEach((proto, k) => {
    for (const key of Reflect.ownKeys(proto)) {
      if (before[k].has(key)) continue;
      added.push(`${proto.constructor.name}.prototype.${String(key)}`);
      delete (proto as unknown as Record<PropertyKey, unknown>)[key];
    }
  });
  return added.length === 0 ? null : `polluted ${added.join(', ')}`;
}

/** Throws (failing the property) when the case polluted a shared prototype. */
export function expectNoPollution(): void {
  const breach = pollutionBreach();
  if (breach) throw new Error(breach);
}
