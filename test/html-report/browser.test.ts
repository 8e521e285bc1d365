import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { chromiumMissing, dumpDom, isCi } from './chromium.ts';
import { runFixtureJob, type FixtureRun } from './fixture-run.ts';

// Injected first into <head>: records every error the page meets (script errors, console.error,
// rejected promises, a fetch the page's content policy blocked).
const WATCH = `<script>
window.__errors = [];
const consoleError = console.error.bind(console);
console.error = (...args) => { window.__errors.push(args.map(String).join(' ')); consoleError(...args); };
window.addEventListener('error', (event) => window.__errors.push('error: ' + (event.message || event.target)), true);
window.addEventListener('unhandledrejection', (event) => window.__errors.push('rejection: ' + event.reason));
document.addEventListener('securitypolicyviolation', (event) => window.__errors.push('blocked: ' + event.blockedURI));
</script>`;

// Appended after the report's own script: measures what it drew, hovers and clicks a bar, and
// writes its findings into the DOM for --dump-dom to carry out.
const PROBE = `<script>
(() => {
  const result = { errors: window.__errors, rendered: document.documentElement.getAttribute('data-rendered') };
  const isColoured = (r, g, b, a) => a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 40;
  const measure = (canvas) => {
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let coloured = 0, red = 0, green = 0, first = null;
    for (let i = 0; i < pixels.length; i += 4) {
      const [r, g, b, a] = [pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]];
      if (!isColoured(r, g, b, a)) continue;
      coloured++;
      if (Math.abs(r - 214) < 8 && Math.abs(g - 69) < 8 && Math.abs(b - 69) < 8) red++;
      if (Math.abs(r - 46) < 8 && Math.abs(g - 157) < 8 && Math.abs(b - 91) < 8) {
        green++;
        if (first === null) first = { x: (i / 4) % canvas.width, y: Math.floor(i / 4 / canvas.width) };
      }
    }
    return { width: canvas.width, height: canvas.height, coloured, red, green, first };
  };
  const timeline = document.getElementById('timeline-canvas');
  result.timeline = measure(timeline);
  result.series = [...document.querySelectorAll('.chart.series canvas')].map((c) => measure(c).coloured);
  result.histograms = [...document.querySelectorAll('.chart.histogram canvas')].map((c) => measure(c).coloured);
  const first = result.timeline.first;
  if (first !== null) {
    const ratio = timeline.width / timeline.getBoundingClientRect().width;
    const box = timeline.getBoundingClientRect();
    const at = { clientX: box.left + first.x / ratio + 1, clientY: box.top + first.y / ratio + 1, bubbles: true, pointerId: 1 };
    timeline.dispatchEvent(new PointerEvent('pointermove', at));
    const tip = timeline.parentElement.querySelector('.tip');
    result.tip = tip.hidden ? null : tip.textContent;
    timeline.dispatchEvent(new PointerEvent('pointerdown', at));
    timeline.dispatchEvent(new PointerEvent('pointerup', at));
    result.detail = document.getElementById('timeline-detail').textContent;
  }
  // Coloured by task instead: the first task's colour appears.
  const colour = document.getElementById('timeline-colour');
  colour.value = 'task';
  colour.dispatchEvent(new Event('change'));
  const pixels = timeline.getContext('2d').getImageData(0, 0, timeline.width, timeline.height).data;
  result.firstTaskPixels = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (Math.abs(pixels[i] - 78) < 8 && Math.abs(pixels[i + 1] - 121) < 8 && Math.abs(pixels[i + 2] - 167) < 8) result.firstTaskPixels++;
  }
  result.legend = document.getElementById('timeline-legend').textContent;
  const out = document.createElement('pre');
  out.id = 'probe-result';
  out.textContent = JSON.stringify(result);
  document.body.append(out);
})();
</script>`;

interface ProbeResult {
  errors: string[];
  rendered: string | null;
  timeline: { width: number; height: number; coloured: number; red: number; green: number };
  series: number[];
  histograms: number[];
  tip?: string | null;
  detail?: string;
  firstTaskPixels: number;
  legend: string;
}

let fixture: FixtureRun | undefined;
after(() => {
  if (fixture) rmSync(fixture.dir, { recursive: true, force: true });
});

test('the report opens in headless Chromium and draws its charts', async (t) => {
  const missing = chromiumMissing();
  if (missing !== null) {
    if (isCi()) assert.fail(`CI must run the browser test, but ${missing}`);
    t.skip(`skipped: ${missing}`);
    return;
  }
  fixture = await runFixtureJob();
  const htmlPath = join(fixture.dir, 'report.html');
  const report = await runCli(['report', fixture.results, '-o', htmlPath]);
  assert.equal(report.code, 0, report.stderr);

  const probed = join(fixture.dir, 'probed.html');
  const html = readFileSync(htmlPath, 'utf8');
  writeFileSync(
    probed,
    html.replace('<head>', `<head>${WATCH}`).replace('</body>', `${PROBE}</body>`),
  );
  const dom = await dumpDom(pathToFileURL(probed).href);
  const match = /<pre id="probe-result">([\s\S]*?)<\/pre>/.exec(dom);
  assert.ok(match, `the probe did not run; the page was:\n${dom.slice(0, 2000)}`);
  const text = (match[1] as string)
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  const result = JSON.parse(text) as ProbeResult;

  assert.deepEqual(result.errors, []);
  assert.equal(result.rendered, 'true');
  assert.ok(
    result.timeline.width > 300 && result.timeline.height > 50,
    JSON.stringify(result.timeline),
  );
  assert.ok(result.timeline.green > 0, 'no bar of an ok item was drawn');
  assert.ok(result.timeline.red > 0, 'no bar of a failed item was drawn');
  assert.equal(result.series.length, 2);
  for (const coloured of result.series) assert.ok(coloured > 0, 'a throughput chart is blank');
  assert.equal(result.histograms.length, 2);
  for (const coloured of result.histograms) assert.ok(coloured > 0, 'a histogram is blank');
  assert.match(result.tip ?? '', /duration/);
  assert.match(result.detail ?? '', /status ok/);
  assert.ok(result.firstTaskPixels > 0, 'colouring by task drew no bar in the first task colour');
  assert.match(result.legend, /square \(12\)shell \(6\)/);
});
