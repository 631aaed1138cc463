import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { UsageError } from '../../core/errors.ts';
import { downsampleMinMax } from './downsample.ts';

/** What the spread plot shows; every level is a basis fraction (drawn in bps). */
export interface SpreadPlotInput {
  tsMs: Float64Array;
  basis: Float64Array;
  mu: number;
  /** Open short-perp/long-spot above this level. */
  upperEntry: number;
  /** Open long-perp/short-spot below this level. */
  lowerEntry: number;
  title: string;
  /** 'utc' (default): tsMs are epoch ms; 'elapsed': tsMs count from 0 (a series without times), drawn as hours. */
  timeAxis?: 'utc' | 'elapsed';
  /** Lines under the title (parameters, what the bands assume). */
  notes: string[];
}

export interface PlotSize {
  widthPx: number;
  heightPx: number;
}

export type PlotFormat = 'svg' | 'png' | 'html';

const DEFAULT_SIZE: PlotSize = { widthPx: 1000, heightPx: 420 };
const BPS = 1e4;
const FONT = 'DejaVu Sans, Arial, Helvetica, sans-serif';

export function plotFormatOf(path: string): PlotFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.svg' || ext === '.png' || ext === '.html') return ext.slice(1) as PlotFormat;
  throw new UsageError(`--plot ${path}: the file name must end in .png, .svg or .html`);
}

/** The vega-lite spec of the plot and the caption that says how the series was reduced. */
export function spreadPlotSpec(input: SpreadPlotInput, size: PlotSize = DEFAULT_SIZE): { spec: TopLevelSpec; caption: string } {
  const reduced = downsampleMinMax(input.tsMs, input.basis, Math.max(50, Math.floor(size.widthPx)));
  const caption = reduced.buckets
    ? `${reduced.inputPoints.toLocaleString('en-US')} points drawn as the min and max of each of ${reduced.buckets} time buckets (${reduced.tsMs.length.toLocaleString('en-US')} points)`
    : `all ${reduced.inputPoints.toLocaleString('en-US')} points`;
  const spanMs = input.tsMs.length ? input.tsMs[input.tsMs.length - 1] - input.tsMs[0] : 0;
  const timeFormat = spanMs >= 4 * 86_400_000 ? '%b %d' : spanMs >= 86_400_000 ? '%b %d %H:%M' : '%H:%M';
  const elapsed = input.timeAxis === 'elapsed';
  const points = Array.from(reduced.tsMs, (t, k) => ({ t: elapsed ? t / 3_600_000 : t, bps: reduced.values[k] * BPS }));
  const x = elapsed
    ? { field: 't', type: 'quantitative' as const, scale: { nice: false }, axis: { title: 'hours from the first row' } }
    : { field: 't', type: 'temporal' as const, scale: { type: 'utc' as const }, axis: { title: 'time (UTC)', format: timeFormat, labelAngle: 0, tickCount: 8 } };
  const levels = [
    { level: 'mu, long-run mean', bps: input.mu * BPS, color: '#222222', dash: [1, 0] },
    { level: 'open short perp / long spot above', bps: input.upperEntry * BPS, color: '#c0392b', dash: [6, 3] },
    { level: 'open long perp / short spot below', bps: input.lowerEntry * BPS, color: '#27ae60', dash: [6, 3] },
  ]
    .filter((l) => Number.isFinite(l.bps))
    .map((l) => ({ ...l, level: `${l.level} ${l.bps.toFixed(2)} bps` }));
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: size.widthPx,
    height: size.heightPx,
    background: 'white',
    title: { text: input.title, subtitle: [...input.notes, caption], anchor: 'start', subtitleFontSize: 11, limit: size.widthPx },
    config: { font: FONT, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { orient: 'bottom', labelFontSize: 11, labelLimit: 600, title: null } },
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', strokeWidth: 0.8, color: '#1f5fa8', clip: true },
        encoding: {
          x,
          y: { field: 'bps', type: 'quantitative', scale: { zero: false }, axis: { title: 'basis (perp - spot) / spot, bps' } },
        },
      },
      {
        data: { values: levels.map(({ level, bps }) => ({ level, bps })) },
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: {
          y: { field: 'bps', type: 'quantitative' },
          color: {
            field: 'level',
            type: 'nominal',
            scale: { domain: levels.map((l) => l.level), range: levels.map((l) => l.color) },
          },
          strokeDash: { field: 'level', type: 'nominal', scale: { domain: levels.map((l) => l.level), range: levels.map((l) => l.dash) } },
        },
      },
    ],
  };
  return { spec, caption };
}

/** Renders the plot to an SVG string with vega (no browser, no canvas). */
export async function renderSpreadSvg(input: SpreadPlotInput, size: PlotSize = DEFAULT_SIZE): Promise<{ svg: string; caption: string }> {
  const { spec, caption } = spreadPlotSpec(input, size);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return { svg: await view.toSVG(), caption };
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG to PNG bytes with resvg (fonts from the system). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, sansSerifFamily: 'DejaVu Sans', defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** A self-contained page: the SVG inline, no script, no network. */
export function svgToHtml(svg: string, title: string, caption: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>body{font-family:${FONT};margin:24px;color:#222}figure{margin:0}figcaption{font-size:13px;color:#555;margin-top:8px}svg{max-width:100%;height:auto}</style>
</head>
<body>
<figure>
${svg}
<figcaption>${escapeHtml(caption)}</figcaption>
</figure>
</body>
</html>
`;
}

/** Writes the plot as .svg, .png or .html (by the file's extension); returns what was written. */
export async function writeSpreadPlot(path: string, input: SpreadPlotInput, size: PlotSize = DEFAULT_SIZE): Promise<{ path: string; format: PlotFormat; bytes: number; caption: string }> {
  const format = plotFormatOf(path);
  const { svg, caption } = await renderSpreadSvg(input, size);
  const body = format === 'svg' ? svg : format === 'png' ? svgToPng(svg) : svgToHtml(svg, input.title, caption);
  writeFileSync(path, body);
  return { path, format, bytes: typeof body === 'string' ? Buffer.byteLength(body) : body.length, caption };
}
