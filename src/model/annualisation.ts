import { DAY_MS, YEAR_MS } from '../core/time.ts';

/**
 * Funding and returns on a yearly scale: the one place perp-arb annualises (simple, not
 * compounded; a year is 365 days, as the venues quote APR).
 */

/** APR (fraction) of a funding rate per interval: rate x 365 d / interval (0.01% per 8 h = 10.95%). */
export function fundingApr(ratePerInterval: number, intervalMs: number): number {
  return (ratePerInterval * YEAR_MS) / intervalMs;
}

/** The same funding expressed per another interval (an 1 h venue's rate per 8 h is 8 times it). */
export function fundingRatePer(ratePerInterval: number, intervalMs: number, perIntervalMs: number): number {
  return (ratePerInterval * perIntervalMs) / intervalMs;
}

/** A fraction earned (or paid) over spanMs, as a simple annual rate. */
export function annualised(fraction: number, spanMs: number): number {
  return (fraction * YEAR_MS) / spanMs;
}

/** What an annual rate amounts to over spanMs. */
export function overSpan(ratePerYear: number, spanMs: number): number {
  return (ratePerYear * spanMs) / YEAR_MS;
}

/** An annual rate as a continuous rate per second (Leung-Li's discount rate). */
export function perSecondFromPerYear(ratePerYear: number): number {
  return ratePerYear / (YEAR_MS / 1000);
}

/** A rate per interval as a rate per day (the dashboards' unit: 0.01% per 8 h = 0.03% per day). */
export function fundingRatePerDay(ratePerInterval: number, intervalMs: number): number {
  return fundingRatePer(ratePerInterval, intervalMs, DAY_MS);
}

/** A fraction earned over spanMs as a compounded yearly rate (CAGR): (1 + r)^(365 d / span) - 1. */
export function compoundedAnnual(fraction: number, spanMs: number): number {
  return (1 + fraction) ** (YEAR_MS / spanMs) - 1;
}

/** How many periods of periodMs a 365-day year holds (Sharpe and Sortino scale by it). */
export function periodsPerYear(periodMs: number): number {
  return YEAR_MS / periodMs;
}
