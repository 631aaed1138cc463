#!/usr/bin/env bash
# Rebuilds every number and figure of docs/spread-model.md from ../shared/data.
# Usage (from the project root): bash docs/spread-model/reproduce.sh [STORE_DIR]
# STORE_DIR defaults to a fresh temporary directory; importing into an existing store is harmless
# (rows already stored count as unchanged).
set -euo pipefail
cd "$(dirname "$0")/../.."
STORE="${1:-$(mktemp -d /tmp/report-store.XXXXXX)}"
OUT=docs/spread-model
LEGS=(--spot binance:BTC/USDT --perp binance:BTC/USDT:USDT --store "$STORE")

node bin/perp-arb.js data import ../shared/data --store "$STORE" >/dev/null 2>"$STORE/import.log" || { cat "$STORE/import.log" >&2; exit 1; }

# Sections 2, 4, 5, 6: the CLI report at the default taker fee (and the month figure)
node bin/perp-arb.js fit "${LEGS[@]}" --plot docs/figures/basis-month.png > "$OUT/fit-1m.txt"
node bin/perp-arb.js fit "${LEGS[@]}" --json > "$OUT/fit-1m.json"
# Section 4/6: the other fee levels (fraction per leg)
for f in 0.0006 0.0002 0.0001 0; do
  node bin/perp-arb.js fit "${LEGS[@]}" --fee-rate "$f" > "$OUT/fit-1m-fee-$f.txt"
done
# Section 5: one minute before a settlement
node bin/perp-arb.js fit "${LEGS[@]}" --fee-rate 0.0001 --time-to-funding-seconds 60 --windows 3 > "$OUT/fit-1m-fee-0.0001-tau-60s.txt"
# Section 2: the zoomed day fitted on its own
node bin/perp-arb.js fit "${LEGS[@]}" --from 2025-06-09T00:00Z --to 2025-06-09T23:59Z --fee-rate 0.0001 > "$OUT/fit-2025-06-09.txt"
# Section 7: crossing cost order of magnitude (the only bid/ask spot+perp pair in the data: Bybit, 2022-12-13)
node bin/perp-arb.js fit --spot bybit:BTC/USDT --perp bybit:BTC/USDT:USDT --store "$STORE" --prices bidask > "$OUT/fit-bybit-bidask-2022-12-13.txt"

# Everything the CLI does not print, and the other figures
node --import tsx docs/spread-model/compute.ts "$STORE" > "$OUT/compute-output.md"
echo "store: $STORE; outputs in $OUT and docs/figures"
