import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/synthetic/rng.ts';
import { probabilityReachMeanBy } from '../../src/model/firstPassage.ts';
import {
  empiricalCloseProbabilitiesByWindow,
  fitNormalToTimes,
  measureReversionTimes,
  normalCloseProbabilitiesByWindow,
} from '../../src/model/reversionTimes.ts';
import { normalCdf } from '../../src/model/normal.ts';

describe("reversion times (the seed's p_k)", () => {
  const series = Float64Array.from([0, 0.5, 2, 3, 1, -0.1, 0, 2.5, 0.2, 0, -3, -1, 0.5, 4]);

  it('measures excursions beyond k sigma until the first return to mu, censoring the open one', () => {
    const r = measureReversionTimes(series, 60, 0, { kind: 'kSigma', k: 1, stationarySd: 1.5 });
    expect(Array.from(r.timesSeconds)).toEqual([180, 120, 120]);
    expect(Array.from(r.startIndices)).toEqual([2, 7, 10]);
    expect(r.censored).toBe(1);
    expect(r.bandHalfWidth).toBe(1.5);
  });

  it('an entry level counts only excursions on its side', () => {
    const r = measureReversionTimes(series, 60, 0, { kind: 'entryLevel', entryLevel: 2.2 });
    expect(Array.from(r.timesSeconds)).toEqual([120, 120]);
    const below = measureReversionTimes(series, 60, 0, { kind: 'entryLevel', entryLevel: -2 });
    expect(Array.from(below.timesSeconds)).toEqual([120]);
    expect(below.censored).toBe(0);
  });

  it('fits a normal and reads p_k off it as the seed does', () => {
    const fit = fitNormalToTimes([180, 120, 120]);
    expect(fit.meanSeconds).toBeCloseTo(140, 12);
    expect(fit.sdSeconds).toBeCloseTo(Math.sqrt(1200), 12);
    const w = normalCloseProbabilitiesByWindow(fit, 100, 60, 3);
    expect(w.probabilities[0]).toBeCloseTo(normalCdf((100 - 140) / Math.sqrt(1200)), 15);
    expect(w.probabilities[1]).toBeCloseTo(normalCdf((160 - 140) / Math.sqrt(1200)) - normalCdf((100 - 140) / Math.sqrt(1200)), 15);
    expect(w.probabilities.reduce((a, b) => a + b, 0) + w.remainder).toBeCloseTo(1, 15);
    const empirical = empiricalCloseProbabilitiesByWindow([180, 120, 120], 100, 60, 3);
    [0, 2 / 3, 1 / 3].forEach((p, i) => expect(empirical.probabilities[i]).toBeCloseTo(p, 15));
    expect(empirical.remainder).toBe(0);
  });

  it('on a seeded OU path: times are skewed, the normal misplaces mass, the OU first passage fits', () => {
    const theta = 1 / 3600;
    const mu = 0.0003;
    const sd = 0.0002;
    const dt = 30;
    const b = Math.exp(-theta * dt);
    const rng = new Rng(2024);
    const path = new Float64Array(200_000);
    path[0] = mu;
    for (let i = 1; i < path.length; i++) path[i] = mu + (path[i - 1] - mu) * b + sd * Math.sqrt(1 - b * b) * rng.normal();
    const r = measureReversionTimes(path, dt, mu, { kind: 'kSigma', k: 1.5, stationarySd: sd });
    expect(r.timesSeconds.length).toBeGreaterThan(300);
    const fit = fitNormalToTimes(r.timesSeconds);
    // right-skewed: the normal puts > 5% of its mass at negative times
    expect(normalCdf(-fit.meanSeconds / fit.sdSeconds)).toBeGreaterThan(0.05);
    // the empirical P(T <= 1 h) is close to the OU closed form from the band (sampling every 30 s delays
    // the detected return a little), while the normal's value is further off
    const params = { thetaPerSecond: theta, mu, sigmaPerSqrtSecond: sd * Math.sqrt(2 * theta) };
    const empirical = empiricalCloseProbabilitiesByWindow(r.timesSeconds, 3600, 3600, 1).probabilities[0];
    const ou = probabilityReachMeanBy(params, mu + 1.5 * sd, 3600);
    const normal = normalCloseProbabilitiesByWindow(fit, 3600, 3600, 1).probabilities[0];
    expect(Math.abs(empirical - ou)).toBeLessThan(0.06);
    expect(Math.abs(normal - empirical)).toBeGreaterThan(Math.abs(empirical - ou));
  });
});
