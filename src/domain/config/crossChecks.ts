import type { z } from 'zod';

/** A problem between fields: the path of the field to blame and what is wrong. */
export interface CrossProblem {
  path: PropertyKey[];
  message: string;
}

/**
 * Adds checks between fields that run only when every field is valid on its own, so one bad value
 * gives one message (days: 1e9 is out of range, not also "the market would end after 2100").
 */
export function withCrossChecks<T extends z.ZodType>(schema: T, problems: (value: z.output<T>) => CrossProblem[]): T {
  return schema.check((ctx) => {
    if (ctx.issues.length > 0) return;
    for (const p of problems(ctx.value as z.output<T>)) ctx.issues.push({ code: 'custom', path: p.path, message: p.message, input: undefined });
  });
}
