// A horizontal bar chart as hand-written SVG text: each operation's speed relative to CPython on
// a log scale, one bar per implementation, CPython's line at 1× and a tick at each target.

export interface ChartRow {
  label: string;
  /** Speed relative to CPython (> 1: faster) per series; undefined where not measured. */
  values: (number | undefined)[];
  /** The target, as a speed relative to CPython, if there is one. */
  target?: number;
}

export interface Series {
  name: string;
  color: string;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function barChart(title: string, series: Series[], rows: ChartRow[]): string {
  const labelWidth = 270;
  const plotWidth = 520;
  const bar = 11;
  const rowHeight = series.length * bar + 10;
  const top = 58;
  const height = top + rows.length * rowHeight + 40;
  const width = labelWidth + plotWidth + 70;
  const ticks = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50];
  const low = Math.log10(ticks[0]);
  const high = Math.log10(ticks[ticks.length - 1]);
  const x = (ratio: number) => {
    const clamped = Math.min(Math.max(ratio, ticks[0]), ticks[ticks.length - 1]);
    return labelWidth + ((Math.log10(clamped) - low) / (high - low)) * plotWidth;
  };
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escape(title)}</text>`);
  series.forEach((s, i) => {
    const lx = labelWidth + i * 130;
    out.push(`<rect x="${lx}" y="32" width="12" height="10" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 16}" y="41">${escape(s.name)}</text>`);
  });
  out.push(`<text x="${labelWidth + series.length * 130}" y="41" fill="#c00">| target</text>`);
  const bottom = top + rows.length * rowHeight;
  for (const t of ticks) {
    const tx = x(t).toFixed(1);
    out.push(`<line x1="${tx}" y1="${top - 4}" x2="${tx}" y2="${bottom}" stroke="${t === 1 ? '#000' : '#ddd'}" stroke-width="${t === 1 ? 1.5 : 1}"/>`);
    out.push(`<text x="${tx}" y="${bottom + 16}" text-anchor="middle">${t}×</text>`);
  }
  out.push(`<text x="${labelWidth + plotWidth / 2}" y="${bottom + 32}" text-anchor="middle">speed relative to CPython 3.11 mmap (log scale; right of the black line is faster)</text>`);
  rows.forEach((row, r) => {
    const y0 = top + r * rowHeight + 5;
    out.push(`<text x="${labelWidth - 8}" y="${y0 + (series.length * bar) / 2 + 4}" text-anchor="end">${escape(row.label)}</text>`);
    row.values.forEach((value, i) => {
      if (value === undefined) return;
      const y = y0 + i * bar;
      const x0 = x(ticks[0]);
      out.push(`<rect x="${x0.toFixed(1)}" y="${y}" width="${(x(value) - x0).toFixed(1)}" height="${bar - 2}" fill="${series[i].color}"/>`);
      out.push(`<text x="${(x(value) + 4).toFixed(1)}" y="${y + bar - 3}" font-size="10">${value >= 10 ? value.toFixed(0) : value.toFixed(2)}×</text>`);
    });
    if (row.target !== undefined) {
      const tx = x(row.target).toFixed(1);
      out.push(`<line x1="${tx}" y1="${y0 - 2}" x2="${tx}" y2="${y0 + series.length * bar}" stroke="#c00" stroke-width="2"/>`);
    }
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
