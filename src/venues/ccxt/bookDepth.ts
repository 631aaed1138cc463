/**
 * The book depth to ask a venue for when it takes only some depths (`allowed`, ascending or not):
 * the smallest allowed one at least `depth`; undefined (the venue's full book) when none is that
 * deep or no depth is wanted. Venues that take any depth get `depth` as it is.
 */
export function venueBookDepth(depth: number | undefined, allowed: readonly number[] | undefined): number | undefined {
  if (allowed === undefined || allowed.length === 0 || depth === undefined) return depth;
  const deeper = allowed.filter((d) => d >= depth);
  return deeper.length === 0 ? undefined : Math.min(...deeper);
}
