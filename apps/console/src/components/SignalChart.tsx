import { SeriesPoint, outsideBand } from '../lib/series';

interface Props {
  readonly series: readonly SeriesPoint[];
  readonly title: string;
  readonly unit?: string;
  readonly width?: number;
  readonly height?: number;
}

const fmt = (v: number) => (Math.abs(v) >= 100 || v === 0 ? String(Math.round(v * 100) / 100) : Number(v.toPrecision(3)).toString());

/**
 * A signal against its baseline band over time: the band (lower..upper) shaded, the observed values as a line with
 * points, red where outside the band. Takes a generic series so any source (the RED series with the detector's band,
 * or an anomaly's observations) can feed it. Accessible: a text summary and the data as a table.
 */
export function SignalChart({ series, title, unit = '', width = 640, height = 220 }: Props) {
  if (series.length === 0) return <p class="muted">No observations to chart.</p>;
  const pad = { left: 56, right: 16, top: 12, bottom: 34 };
  const t0 = series[0].t;
  const t1 = series[series.length - 1].t;
  const span = t1 - t0 || 60_000;
  const tMin = t1 === t0 ? t0 - span / 2 : t0;
  const tMax = t1 === t0 ? t0 + span / 2 : t1;
  const values = series.flatMap((p) => [p.value, p.lower, p.upper]);
  let vMin = Math.min(...values, 0);
  let vMax = Math.max(...values);
  if (vMax === vMin) vMax = vMin + 1;
  const vPad = (vMax - vMin) * 0.08;
  vMin = vMin < 0 ? vMin - vPad : vMin;
  vMax += vPad;
  const x = (t: number) => pad.left + ((t - tMin) / (tMax - tMin)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - (v - vMin) / (vMax - vMin)) * (height - pad.top - pad.bottom);
  const bandPoints =
    series.length === 1
      ? [`${x(tMin)},${y(series[0].upper)}`, `${x(tMax)},${y(series[0].upper)}`, `${x(tMax)},${y(series[0].lower)}`, `${x(tMin)},${y(series[0].lower)}`]
      : [...series.map((p) => `${x(p.t)},${y(p.upper)}`), ...[...series].reverse().map((p) => `${x(p.t)},${y(p.lower)}`)];
  const line = series.map((p) => `${x(p.t)},${y(p.value)}`).join(' ');
  const outside = outsideBand(series);
  const last = series[series.length - 1];
  const summary = `${title}: ${series.length} observation${series.length === 1 ? '' : 's'}, ${outside} outside the baseline band; latest ${fmt(last.value)}${unit} against a band of ${fmt(last.lower)}–${fmt(last.upper)}${unit}.`;
  const ticks = [vMin, (vMin + vMax) / 2, vMax];
  const timeLabel = (t: number) => new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        <title>{summary}</title>
        {ticks.map((v) => (
          <g key={v}>
            <line class="grid" x1={pad.left} x2={width - pad.right} y1={y(v)} y2={y(v)} />
            <text class="axis" x={pad.left - 6} y={y(v) + 4} text-anchor="end">
              {fmt(v)}
            </text>
          </g>
        ))}
        <polygon class="band" points={bandPoints.join(' ')} />
        {series.length > 1 && <polyline class="series" points={line} fill="none" />}
        {series.map((p) => {
          const out = p.value < p.lower || p.value > p.upper;
          return <circle key={p.t} class={out ? 'point out' : 'point'} cx={x(p.t)} cy={y(p.value)} r={4} />;
        })}
        <text class="axis" x={pad.left} y={height - 10}>
          {timeLabel(tMin)}
        </text>
        <text class="axis" x={width - pad.right} y={height - 10} text-anchor="end">
          {timeLabel(tMax)}
        </text>
      </svg>
      <figcaption>
        <span class="legend band-key">baseline band</span> <span class="legend series-key">observed</span> <span class="legend out-key">outside band</span>
        <p class="chart-summary">{summary}</p>
        <details>
          <summary>Data table</summary>
          <table class="data">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Observed</th>
                <th scope="col">Band</th>
              </tr>
            </thead>
            <tbody>
              {series.map((p) => (
                <tr key={p.t}>
                  <td>{new Date(p.t).toISOString()}</td>
                  <td>{fmt(p.value)}{unit}</td>
                  <td>
                    {fmt(p.lower)}–{fmt(p.upper)}{unit}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}
