import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../paths.ts';
import { escapeHtml, formatCount, scriptJson } from './html.ts';
import type { ReportData } from './model.ts';
import { renderDurations, renderFailures, renderHeader, renderTasks } from './render-sections.ts';

/**
 * The page's own style and script: the sources when this code runs from src/ (tsx), else the
 * minified copies the build puts in dist/ (the package, and the bundled CLI, whose chunks live in
 * dist/cmd/). Read once, when the first report is made.
 */
let assets: { css: string; js: string } | undefined;

function loadAssets(): { css: string; js: string } {
  const isSource = fileURLToPath(import.meta.url).startsWith(join(PACKAGE_ROOT, 'src') + sep);
  const folder = join(PACKAGE_ROOT, ...(isSource ? [] : ['dist']), 'src', 'html-report', 'assets');
  assets ??= {
    css: readFileSync(join(folder, 'report.css'), 'utf8'),
    js: readFileSync(join(folder, 'report.js'), 'utf8'),
  };
  return assets;
}

// The page may run its inline script and style and show inline images, and load nothing: a
// report opened from a mail or a CI artifact never reaches the network.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

function renderTimeline(data: ReportData): string {
  const { shown, itemsRan } = data.timeline;
  const thinned =
    shown < itemsRan
      ? `<p class="muted">${formatCount(shown)} of ${formatCount(itemsRan)} items drawn: every one that failed, was cancelled or retried, and an even sample of the rest. The charts below count them all.</p>`
      : '';
  return `<section id="timeline"><h2>Timeline</h2>
<p class="muted">One lane per worker (a worker running several items at once gets a lane for each). Scroll to zoom, drag to pan, double-click to reset; hover or click a bar for its item.</p>
${thinned}
<div class="legend" id="timeline-legend"></div>
<div class="toolbar"><button type="button" data-zoom="in">Zoom in</button><button type="button" data-zoom="out">Zoom out</button><button type="button" data-zoom="reset">Whole run</button><label class="muted">colour by <select id="timeline-colour"><option value="status">status</option><option value="task">task</option></select></label><span id="timeline-range" class="muted"></span></div>
<div class="chart timeline"><canvas id="timeline-canvas" aria-label="Timeline of items per worker"></canvas><canvas id="timeline-overlay" class="overlay"></canvas><div class="tip" hidden></div></div>
<div id="timeline-detail" class="detail muted">Click a bar to keep its details here.</div>
</section>`;
}

function renderActivity(): string {
  return `<section id="activity"><h2>Throughput and concurrency</h2>
<div class="legend" id="task-legend"></div>
<h3>Items finished per second</h3>
<div class="chart series" data-series="finished"><canvas aria-label="Items finished per second, per task"></canvas><div class="tip" hidden></div></div>
<h3>Items running</h3>
<div class="chart series" data-series="running"><canvas aria-label="Items running at once, per task"></canvas><div class="tip" hidden></div></div>
</section>`;
}

/** The whole report: one HTML file holding its style, its script and its data. */
export function renderHtml(data: ReportData, version: string): string {
  const { css, js } = loadAssets();
  const title = `${data.job ?? 'run'} · jobrun report`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="generator" content="jobrun ${escapeHtml(version)}">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
<main>
${renderHeader(data)}
<nav><a href="#tasks">Tasks</a><a href="#timeline">Timeline</a><a href="#activity">Throughput</a><a href="#durations">Durations</a><a href="#failures">Failures</a></nav>
${renderTasks(data)}
${renderTimeline(data)}
${renderActivity()}
${renderDurations(data)}
${renderFailures(data)}
<footer class="muted">Made by <code>jobrun report</code> ${escapeHtml(version)} at ${escapeHtml(data.generatedAt)} from <code>${escapeHtml(data.resultsFile)}</code>.</footer>
</main>
<script type="application/json" id="jobrun-report-data">${scriptJson(data)}</script>
<script>${js}</script>
</body>
</html>
`;
}
