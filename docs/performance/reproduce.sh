#!/usr/bin/env bash
# Rebuilds every figure of docs/performance-expectations.md from ../shared/data.
# Usage (from the project root): bash docs/performance/reproduce.sh [WORK_DIR]
# WORK_DIR (default: a fresh temporary directory) receives two stores:
#   WORK_DIR/main      everything except the supervik funding files (AHA-HH, freqtrade, LEAN, cryptofeed)
#   WORK_DIR/supervik  the supervik funding files only (seven venues, 2020-2023)
# They are kept apart because Binance settlements in the supervik files carry millisecond jitter
# (16:00:00.018) while AHA-HH has them on the grid (16:00:00.000): imported together, 405 of the
# 1,095 Binance settlements of 2023 per asset would be stored twice (see the doc, "Data").
# Importing into existing stores is harmless (rows already stored count as unchanged).
# Outputs: docs/performance/out/backtest-*.json, compute.json, compute-output.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK="${1:-$(mktemp -d /tmp/perf-doc.XXXXXX)}"
MAIN="$WORK/main"
SUPERVIK="$WORK/supervik"
DIR=docs/performance
OUT=$DIR/out
DATA=../shared/data
mkdir -p "$OUT" "$MAIN" "$SUPERVIK"

import() {
  local store="$1"; shift
  for path in "$@"; do
    node bin/perp-arb.js data import "$path" --store "$store" >/dev/null 2>>"$store/import.log" || { cat "$store/import.log" >&2; exit 1; }
  done
}
import "$MAIN" \
  "$DATA/binance_bybit_okx_8h_spot_perp_funding__AHA-HH" \
  "$DATA/binance_spot_1m__Filimonov-Eremeyka_freqtrade" \
  "$DATA/binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents" \
  "$DATA/bybit_binance_minute_20221213__QuantConnect_Lean" \
  "$DATA/raw_exchange_api_captures__bmoscon_cryptofeed"
import "$SUPERVIK" "$DATA/funding_history_7_exchanges__supervik"

# Every backtest config in docs/performance/*.json, one summary each
for config in "$DIR"/*.json; do
  name=$(basename "$config" .json)
  node bin/perp-arb.js backtest --config "$config" --store "$MAIN" --json --no-report > "$OUT/backtest-$name.json"
done

# The cross-venue funding-differential strategy (src/strategy/fundingDifferential.ts)
for config in "$DIR"/differential/*.json; do
  [ -e "$config" ] || continue
  name=$(basename "$config" .json)
  node bin/perp-arb.js backtest --config "$config" --store "$MAIN" --json --no-report > "$OUT/backtest-differential-$name.json"
done

# Everything that is not a backtest: funding distributions, regimes, basis sizes, spreads,
# the scanner's funding differentials, and the tables built from the backtest summaries above
node --import tsx "$DIR/compute.ts" "$MAIN" "$SUPERVIK" "$OUT" > "$OUT/compute-output.md"
echo "stores: $MAIN $SUPERVIK; outputs in $OUT"
