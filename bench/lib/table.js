// The suite's report: one Markdown table (measurements, then each comparison under its case).

import { summarize } from './stats.js';

/** A number as a table shows it: whole above 100, three significant digits below. */
export function formatNumber(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en');
  return Number(value.toPrecision(3)).toString();
}

/** The Markdown table of every case's rows and checks. */
export function formatTable(results) {
  const lines = [
    '| case | row | median | min–max | ratio | target | |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const result of results) {
    let caseCell = `${result.title}${result.description ? ` (${result.description})` : ''}`;
    const take = () => {
      const cell = caseCell;
      caseCell = '';
      return cell;
    };
    if (result.error) {
      lines.push(`| ${take()} | failed: ${result.error.split('\n')[0]} | | | | | |`);
      continue;
    }
    for (const row of result.rows) {
      if (row.values.length === 0) continue;
      const { median, min, max } = summarize(row.values);
      lines.push(
        `| ${take()} | ${row.label} | ${formatNumber(median)} ${row.unit} | ${formatNumber(min)}–${formatNumber(max)} | | | |`,
      );
    }
    for (const item of result.checks) {
      const verdict = item.met === null ? 'skipped' : item.met ? 'met' : '**missed**';
      const ratio =
        item.ratio === null
          ? '–'
          : `${formatNumber(item.ratio)}${item.unit ? ` ${item.unit}` : '×'}`;
      lines.push(`| ${take()} | ${item.label} | | | ${ratio} | ${item.target} | ${verdict} |`);
    }
    for (const note of result.notes ?? []) lines.push(`| ${take()} | note: ${note} | | | | | |`);
  }
  return lines.join('\n');
}
