/**
 * A number as the venues write decimals: plain digits, never exponent notation, shortest
 * round-trip form otherwise (so a client parsing it gets back the same float).
 */
export function decimalText(value: number): string {
  if (!Number.isFinite(value)) return '0';
  if (value === 0) return '0';
  const text = String(value);
  if (!/e/i.test(text)) return text;
  const abs = Math.abs(value);
  if (abs < 1) return value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
  return BigInt(Math.round(value)).toString();
}

/** A number on a step grid with the step's decimals (Binance pads: "0.010" for a 0.001 lot). */
export function fixedText(value: number, decimals: number): string {
  return value.toFixed(decimals);
}
