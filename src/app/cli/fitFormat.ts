/** Number and duration formatting for the `perp-arb fit` report. */

/** A fraction in basis points, e.g. -0.000461 -> '-4.61 bps'. */
export function bps(fraction: number, digits = 2): string {
  if (!Number.isFinite(fraction)) return String(fraction);
  return `${(fraction * 1e4).toFixed(digits)} bps`;
}

/** A probability or fraction in percent. */
export function percent(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return String(fraction);
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Three significant digits in plain or exponent notation. */
export function sig(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e-3 && abs < 1e6 ? Number(value.toPrecision(digits)).toString() : value.toExponential(digits - 1);
}

/** Seconds in the largest sensible units: '48.2 s', '1 min 21 s', '5 h 28 min', '3.4 days'. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const s = Math.abs(seconds);
  const sign = seconds < 0 ? '-' : '';
  if (s < 60) return `${sign}${Number(s.toPrecision(3))} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    const rest = Math.round(s - m * 60);
    return rest === 60 ? `${sign}${m + 1} min` : `${sign}${m} min${rest ? ` ${rest} s` : ''}`;
  }
  if (s < 2 * 86_400) {
    const h = Math.floor(s / 3600);
    const rest = Math.round((s - h * 3600) / 60);
    return rest === 60 ? `${sign}${h + 1} h` : `${sign}${h} h${rest ? ` ${rest} min` : ''}`;
  }
  if (s < 365 * 86_400) return `${sign}${Number((s / 86_400).toPrecision(3))} days`;
  return `${sign}${sig(s / (365 * 86_400))} years`;
}
