// The dashboard page: loads /api/state, then applies the updates of /api/stream (server-sent
// events). Charts with lightweight-charts (served from node_modules by the dashboard server).
/* global LightweightCharts */
'use strict';

const $ = (id) => document.getElementById(id);
const state = { snapshot: null, equity: [], events: [], basis: new Map(), eventSeq: 0, kinds: new Set() };
const MAX_EVENTS = 400;

const fmtUsd = (x) => (x === null || x === undefined || Number.isNaN(x) ? '-' : `${x < 0 ? '-' : ''}$${Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
const fmtPct = (x, digits = 2) => (x === null || x === undefined || Number.isNaN(x) ? '-' : `${(x * 100).toFixed(digits)}%`);
const fmtBps = (x) => (x === null || x === undefined || Number.isNaN(x) ? '-' : `${(x * 1e4).toFixed(2)} bp`);
const fmtNum = (x, digits = 4) => (x === null || x === undefined || Number.isNaN(x) ? '-' : Number(x).toLocaleString('en-US', { maximumFractionDigits: digits }));
const fmtTime = (ms) => (ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'));
const fmtDuration = (ms) => {
  if (ms === null || ms === undefined) return '-';
  const sign = ms < 0 ? '-' : '';
  let s = Math.round(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  return `${sign}${h}h ${String(m).padStart(2, '0')}m`;
};
const signClass = (x) => (x > 0 ? 'up' : x < 0 ? 'down' : '');

function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}
function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) tr.appendChild(c instanceof Node ? c : cell(String(c)));
  return tr;
}
function fill(tbody, rows) {
  tbody.replaceChildren(...rows);
}

// Charts
const chartOptions = () => ({
  layout: { background: { color: '#171e26' }, textColor: '#8592a3', attributionLogo: false },
  grid: { vertLines: { color: '#202a36' }, horzLines: { color: '#202a36' } },
  timeScale: { timeVisible: true, secondsVisible: false },
  autoSize: true,
});
const LWC = LightweightCharts;
const equityChart = LWC.createChart($('equity-chart'), chartOptions());
const equitySeries = equityChart.addSeries(LWC.LineSeries, { color: '#4c9aff', lineWidth: 2, priceFormat: { type: 'price', precision: 2, minMove: 0.01 } });
const basisChart = LWC.createChart($('basis-chart'), chartOptions());
const bpsFormat = { type: 'custom', formatter: (x) => `${(x * 1e4).toFixed(1)} bp`, minMove: 1e-6 };
const basisLines = {
  basis: basisChart.addSeries(LWC.LineSeries, { color: '#d8dee6', lineWidth: 1, priceFormat: bpsFormat, title: 'basis' }),
  mu: basisChart.addSeries(LWC.LineSeries, { color: '#4c9aff', lineWidth: 1, lineStyle: 2, priceFormat: bpsFormat, title: 'mean' }),
  upper: basisChart.addSeries(LWC.LineSeries, { color: '#ef5350', lineWidth: 1, lineStyle: 1, priceFormat: bpsFormat, title: 'entry' }),
  lower: basisChart.addSeries(LWC.LineSeries, { color: '#26a69a', lineWidth: 1, lineStyle: 1, priceFormat: bpsFormat, title: 'entry' }),
};
let basisStrategy = null;
let lastBasisTime = null;
let lastEquityTime = null;

const toTime = (ms) => Math.floor(ms / 1000);

function setEquity(points) {
  const data = [];
  for (const p of points) {
    const t = toTime(p.ts);
    if (data.length > 0 && data[data.length - 1].time >= t) continue;
    data.push({ time: t, value: p.equityUsd });
  }
  equitySeries.setData(data);
  lastEquityTime = data.length > 0 ? data[data.length - 1].time : null;
  equityChart.timeScale().fitContent();
}
function addEquity(points) {
  for (const p of points) {
    const t = toTime(p.ts);
    if (lastEquityTime !== null && t <= lastEquityTime) continue;
    equitySeries.update({ time: t, value: p.equityUsd });
    lastEquityTime = t;
  }
}
function basisData(points, key) {
  const out = [];
  let last = null;
  for (const p of points) {
    const t = toTime(p.ts);
    if (last !== null && t <= last) continue;
    last = t;
    out.push(p[key] === null || p[key] === undefined ? { time: t } : { time: t, value: p[key] });
  }
  return out;
}
function setBasis(series) {
  if (series.length === 0) {
    $('basis-note').textContent = 'No basis signal: the strategy does not publish one (the OU basis strategy does).';
    return;
  }
  if (basisStrategy === null) basisStrategy = series[0].strategy;
  const s = series.find((x) => x.strategy === basisStrategy) ?? series[0];
  for (const key of Object.keys(basisLines)) basisLines[key].setData(basisData(s.points, key));
  const last = s.points[s.points.length - 1];
  lastBasisTime = last ? toTime(last.ts) : null;
  $('basis-note').textContent = `${s.strategy}: basis (perp - spot) / spot, the model's mean and its entry thresholds.`;
  basisChart.timeScale().fitContent();
}
function addBasis(series) {
  const s = series.find((x) => x.strategy === basisStrategy) ?? (basisStrategy === null ? series[0] : undefined);
  if (!s || s.points.length === 0) return;
  if (basisStrategy === null) {
    setBasis(series);
    return;
  }
  for (const p of s.points) {
    const t = toTime(p.ts);
    if (lastBasisTime !== null && t <= lastBasisTime) continue;
    lastBasisTime = t;
    for (const key of Object.keys(basisLines)) basisLines[key].update(p[key] === null || p[key] === undefined ? { time: t } : { time: t, value: p[key] });
  }
}

// Tables
function renderHeadline(s) {
  $('source').textContent = s.source;
  $('clock').textContent = s.nowMs === null ? '' : `engine time ${fmtTime(s.nowMs)}`;
  const live = $('live');
  live.textContent = s.finished ? 'finished' : s.live ? 'live' : 'stored';
  live.className = `badge${s.live ? ' live' : ''}`;
  $('equity').textContent = fmtUsd(s.equityUsd);
  const ret = $('return');
  ret.textContent = fmtPct(s.pnl.totalReturn, 3);
  ret.className = `value ${signClass(s.pnl.totalReturn)}`;
  $('funding').textContent = fmtUsd(s.pnl.fundingUsd);
  $('fees').textContent = fmtUsd(s.pnl.feesUsd);
  $('open-pairs').textContent = String(s.positions.length);
  const t = s.risk.tradingState;
  $('trading-state').textContent = `${t.session}${t.entriesPaused ? ' (paused)' : ''}`;
}

function renderPositions(s) {
  const rows = [];
  for (const p of s.positions) {
    p.legs.forEach((leg, i) => {
      const first = i === 0;
      const closeButton = document.createElement('td');
      if (first && s.live) {
        const b = document.createElement('button');
        b.textContent = 'Close';
        b.dataset.pair = p.id;
        b.className = 'close-pair';
        b.addEventListener('click', () => control('close-pair', { id: p.id }));
        closeButton.appendChild(b);
      }
      const tr = row([
        cell(first ? p.id : ''),
        cell(first ? p.status : '', p.naked ? 'warn' : ''),
        cell(`${leg.side} ${leg.instrument}`),
        cell(fmtNum(leg.quantity, 6)),
        cell(fmtUsd(leg.notionalUsd)),
        cell(fmtNum(leg.entryPrice, 2)),
        cell(fmtNum(leg.price, 2)),
        cell(fmtPct(leg.liquidationDistance), leg.liquidationDistance !== null && leg.liquidationDistance < 0.1 ? 'warn' : ''),
        cell(fmtPct(leg.marginUse)),
        cell(fmtDuration(leg.nextFundingInMs)),
        cell(first ? fmtBps(p.entryBasis) : ''),
        cell(first ? fmtBps(p.currentBasis) : ''),
        cell(first ? fmtPct(p.deltaDrift, 3) : ''),
        cell(first ? fmtUsd(p.fundingUsd) : '', first ? signClass(p.fundingUsd) : ''),
        cell(first ? fmtUsd(p.pricePnlUsd) : '', first ? signClass(p.pricePnlUsd) : ''),
        cell(first ? fmtUsd(p.feesUsd) : ''),
        cell(first ? fmtUsd(p.netPnlUsd) : '', first ? signClass(p.netPnlUsd) : ''),
        closeButton,
      ]);
      tr.className = 'position-row';
      rows.push(tr);
    });
  }
  fill($('positions').tBodies[0], rows);
  $('positions-empty').style.display = s.positions.length === 0 ? '' : 'none';
}

function renderFunding(s) {
  fill(
    $('funding-table').tBodies[0],
    s.funding.map((f) =>
      row([f.instrument, fmtPct(f.lastRate, 4), fmtPct(f.apr), fmtPct(f.predictedRate, 4), fmtPct(f.predictedApr), f.intervalMs === null ? '-' : `${f.intervalMs / 3600000} h`, fmtTime(f.lastSettledMs), f.nextFundingMs === null ? '-' : `${fmtTime(f.nextFundingMs)} (in ${fmtDuration(f.nextFundingMs - (s.nowMs ?? f.nextFundingMs))})`]),
    ),
  );
}

function kv(tbody, pairs) {
  fill(tbody, pairs.map(([k, v, cls]) => row([cell(k), cell(v, cls)])));
}

function renderPnl(s) {
  const w = s.pnl.last24h;
  kv($('pnl').tBodies[0], [
    ['Start equity', fmtUsd(s.pnl.startEquityUsd)],
    ['Round trips', String(s.pnl.trades)],
    ['Liquidations', String(s.pnl.liquidations), s.pnl.liquidations > 0 ? 'down' : ''],
    ['24 h realised', w ? fmtUsd(w.realisedUsd) : '-', w ? signClass(w.realisedUsd) : ''],
    ['Unrealised (open pairs)', w ? fmtUsd(w.unrealisedUsd) : '-', w ? signClass(w.unrealisedUsd) : ''],
    ['24 h funding', w ? fmtUsd(w.fundingUsd) : '-', w ? signClass(w.fundingUsd) : ''],
    ['24 h fees', w ? fmtUsd(w.feesUsd) : '-'],
    ['24 h net (equity change)', w ? fmtUsd(w.netUsd) : '-', w ? signClass(w.netUsd) : ''],
  ]);
}

function renderRisk(s) {
  const r = s.risk;
  const venues = Object.entries(r.tradingState.venues).map(([v, st]) => `${v} ${st}`).join(', ');
  kv($('risk').tBodies[0], [
    ['Session state', r.tradingState.session, r.tradingState.session === 'ACTIVE' ? '' : 'warn'],
    ['Venues', venues || '-'],
    ['New entries', r.tradingState.entriesPaused ? `paused${r.tradingState.pauseReason ? ` (${r.tradingState.pauseReason})` : ''}` : 'allowed', r.tradingState.entriesPaused ? 'warn' : ''],
    ['Drawdown now', fmtPct(r.drawdown)],
    ['Max drawdown', fmtPct(r.maxDrawdown)],
    ['Sharpe (annualised)', fmtNum(r.sharpe, 2)],
    ['VaR 95% / CVaR 95% (per sample)', r.var95 === null ? '-' : `${fmtPct(r.var95, 3)} / ${fmtPct(r.cvar95, 3)}`],
    ['Min liquidation distance', fmtPct(r.minLiquidationDistance), r.minLiquidationDistance !== null && r.minLiquidationDistance < 0.1 ? 'warn' : ''],
    ['Naked legs', String(r.nakedLegs), r.nakedLegs > 0 ? 'down' : ''],
    ['Orders in flight', String(r.ordersInFlight)],
    ['Breakers', r.breakers.length === 0 ? 'none tripped' : r.breakers.map((b) => `${b.name}${b.tripped ? ' TRIPPED' : ''}`).join(', ')],
  ]);
}

function renderTrips(s) {
  const trips = s.pnl.roundTrips.slice(-50).reverse();
  fill(
    $('trips').tBodies[0],
    trips.map((t) => row([t.id, fmtTime(t.openedAt), t.closedAt === null ? 'open' : fmtTime(t.closedAt), cell(fmtUsd(t.pricePnlUsd), signClass(t.pricePnlUsd)), cell(fmtUsd(t.fundingUsd), signClass(t.fundingUsd)), fmtUsd(t.feesUsd), cell(fmtUsd(t.netPnlUsd), signClass(t.netPnlUsd)), t.exitReason ?? '-'])),
  );
}

function renderEvents() {
  const filters = $('event-filters');
  for (const kind of state.kinds) {
    if (filters.querySelector(`[data-kind="${kind}"]`)) continue;
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = kind !== 'order';
    box.dataset.kind = kind;
    box.addEventListener('change', renderEvents);
    label.append(box, ` ${kind}`);
    filters.appendChild(label);
  }
  const hidden = new Set([...filters.querySelectorAll('input:not(:checked)')].map((b) => b.dataset.kind));
  const shown = state.events.filter((e) => !hidden.has(e.kind)).slice(-200).reverse();
  fill($('events').tBodies[0], shown.map((e) => row([fmtTime(e.ts), cell(e.kind, e.kind === 'error' || e.kind === 'denial' || e.kind === 'liquidation' ? 'warn' : ''), e.text])));
}

function addEvents(events) {
  for (const e of events) {
    if (e.seq <= state.eventSeq) continue;
    state.eventSeq = e.seq;
    state.events.push(e);
    state.kinds.add(e.kind);
  }
  if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
}

function render(s) {
  state.snapshot = s;
  renderHeadline(s);
  renderPositions(s);
  renderFunding(s);
  renderPnl(s);
  renderRisk(s);
  renderTrips(s);
  renderEvents();
  document.body.dataset.equity = String(s.equityUsd);
  document.body.dataset.updates = String(Number(document.body.dataset.updates ?? 0) + 1);
}

// Controls
const tokenInput = $('token');
tokenInput.value = sessionStorage.getItem('perp-arb-token') ?? '';
tokenInput.addEventListener('change', () => sessionStorage.setItem('perp-arb-token', tokenInput.value));
async function control(name, body) {
  const headers = { 'content-type': 'application/json' };
  if (tokenInput.value) headers.authorization = `Bearer ${tokenInput.value}`;
  const res = await fetch(`/api/control/${name}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  const out = $('control-result');
  out.textContent = res.ok ? `${name}: done` : `${name}: ${res.status} ${json.error ?? ''}`;
  out.className = res.ok ? 'up' : 'down';
  out.dataset.status = String(res.status);
}
$('pause').addEventListener('click', () => control('pause', { paused: true }));
$('resume').addEventListener('click', () => control('pause', { paused: false }));
$('reducing').addEventListener('click', () => control('state', { state: 'REDUCING' }));
$('halted').addEventListener('click', () => control('state', { state: 'HALTED' }));
$('active').addEventListener('click', () => control('state', { state: 'ACTIVE' }));
$('flatten').addEventListener('click', () => control('flatten', {}));

// Data: the stream first (nothing is missed), then the full state; updates older than it are skipped.
function connect() {
  const source = new EventSource('/api/stream');
  source.addEventListener('update', (msg) => {
    const u = JSON.parse(msg.data);
    if (state.snapshot === null) return;
    addEquity(u.newEquity);
    addBasis(u.newBasis);
    addEvents(u.newEvents);
    render(u);
  });
  source.addEventListener('error', () => {
    $('live').textContent = 'reconnecting';
    $('live').className = 'badge';
  });
  return source;
}
connect();
fetch('/api/state')
  .then((r) => r.json())
  .then((s) => {
    setEquity(s.equity);
    setBasis(s.basis);
    addEvents(s.events);
    render(s);
  })
  .catch((error) => {
    $('source').textContent = `cannot load /api/state: ${error.message}`;
  });
