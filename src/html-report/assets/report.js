// The script of a jobrun report, inlined into the page: it reads the data embedded beside it and
// draws the timeline, the throughput and concurrency charts and the histograms on canvases. It
// loads nothing and needs no library. Drawing is by hand on <canvas> so 100,000 bars stay fast.
(() => {
  'use strict';

  const data = JSON.parse(document.getElementById('jobrun-report-data').textContent);
  const STATUSES = [
    { name: 'ok', color: '#2e9d5b' },
    { name: 'ok after retries', color: '#d69a00' },
    { name: 'failed', color: '#d64545' },
    { name: 'cancelled', color: '#9aa0a6' },
  ];
  const PALETTE = [
    '#4e79a7',
    '#f28e2b',
    '#59a14f',
    '#e15759',
    '#76b7b2',
    '#edc948',
    '#b07aa1',
    '#ff9da7',
    '#9c755f',
    '#bab0ac',
  ];
  const AXIS = '#5f6b7a';
  const GRID = '#e9edf1';
  const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
  /** Left margin of every time chart, so their time axes line up under the timeline's. */
  const GUTTER = 150;
  const RIGHT = 12;

  // ---- formatting -------------------------------------------------------------------------

  function formatDuration(ms) {
    if (!Number.isFinite(ms)) return '–';
    if (ms === 0) return '0';
    const sign = ms < 0 ? '-' : '';
    ms = Math.abs(ms);
    if (ms < 10) return `${sign}${ms.toFixed(ms < 1 ? 2 : 1)}ms`;
    if (ms < 1000) return `${sign}${Math.round(ms)}ms`;
    if (ms < 60_000) return `${sign}${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
    const seconds = Math.floor(ms / 1000);
    if (seconds < 3600)
      return `${sign}${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
    const minutes = Math.floor(seconds / 60);
    return `${sign}${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
  }

  function formatNumber(value) {
    if (value >= 100 || Number.isInteger(value)) return Math.round(value).toLocaleString('en');
    return String(Number(value.toPrecision(3)));
  }

  /** About `count` round values between `min` and `max`. */
  function niceTicks(min, max, count) {
    const span = max - min;
    if (!(span > 0)) return [min];
    const raw = span / count;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || raw;
    const ticks = [];
    for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
      ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
    }
    return ticks;
  }

  /** Time ticks in round milliseconds, seconds, minutes or hours. */
  function timeTicks(min, max, count) {
    const span = max - min;
    const raw = span / count;
    const steps = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600].map((s) => s * 1000);
    if (raw < 1000) return niceTicks(min, max, count);
    const step = steps.find((s) => s >= raw) || Math.ceil(raw / 3_600_000) * 3_600_000;
    const ticks = [];
    for (let t = Math.ceil(min / step) * step; t <= max; t += step) ticks.push(t);
    return ticks;
  }

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (key === 'style') node.style.cssText = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  // ---- canvases ---------------------------------------------------------------------------

  /** Sizes a canvas for the screen's pixel density; returns a context drawing in CSS pixels. */
  function prepare(canvas, width, height) {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(width * ratio));
    canvas.height = Math.max(1, Math.round(height * ratio));
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const context = canvas.getContext('2d');
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    context.font = FONT;
    return context;
  }

  function widthOf(container) {
    return Math.max(320, Math.floor(container.clientWidth || 960));
  }

  function showTip(tip, container, x, y, lines) {
    tip.replaceChildren();
    lines.forEach((line, at) => {
      if (at > 0) tip.append('\n');
      if (Array.isArray(line)) tip.append(el('b', {}, line[0]), ` ${line[1]}`);
      else tip.append(line);
    });
    tip.hidden = false;
    const width = container.clientWidth;
    const left = x + 14 + tip.offsetWidth > width ? Math.max(0, x - 14 - tip.offsetWidth) : x + 14;
    tip.style.left = `${left}px`;
    tip.style.top = `${Math.max(0, y + 12)}px`;
  }

  function drawTimeAxis(context, view, left, right, y) {
    context.fillStyle = AXIS;
    context.strokeStyle = AXIS;
    context.textAlign = 'center';
    context.textBaseline = 'top';
    const x = (t) => left + ((t - view.from) / (view.to - view.from)) * (right - left);
    for (const tick of timeTicks(
      view.from,
      view.to,
      Math.max(2, Math.floor((right - left) / 110)),
    )) {
      const px = x(tick);
      if (px < left - 0.5 || px > right + 0.5) continue;
      context.beginPath();
      context.moveTo(px, y);
      context.lineTo(px, y + 4);
      context.stroke();
      context.fillText(formatDuration(tick), px, y + 6);
    }
  }

  /** Horizontal grid lines at `ticks`, labelled left of `left`. */
  function drawValueAxis(context, ticks, toY, left, right) {
    context.textAlign = 'right';
    context.textBaseline = 'middle';
    for (const tick of ticks) {
      context.strokeStyle = GRID;
      context.beginPath();
      context.moveTo(left, Math.round(toY(tick)) + 0.5);
      context.lineTo(right, Math.round(toY(tick)) + 0.5);
      context.stroke();
      context.fillStyle = AXIS;
      context.fillText(formatNumber(tick), left - 6, toY(tick));
    }
  }

  function drawBaseLine(context, left, right, y) {
    context.strokeStyle = AXIS;
    context.beginPath();
    context.moveTo(left, y + 0.5);
    context.lineTo(right, y + 0.5);
    context.stroke();
  }

  /** Where a pointer event is, in the canvas's CSS pixels. */
  function pointerIn(canvas, event) {
    const box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  // ---- the time range shared by the timeline and the series charts -------------------------

  const timeline = decodeTimeline(data.timeline);
  const full = {
    from: Math.min(0, timeline.minStart),
    to: Math.max(data.durationMs || 0, timeline.maxEnd, 1),
  };
  if (full.to - full.from < 1) full.to = full.from + 1;
  const view = { from: full.from, to: full.to };
  const redrawers = [];
  let frame = 0;

  function setView(from, to) {
    const span = Math.min(full.to - full.from, Math.max(to - from, 0.5));
    from = Math.max(full.from, Math.min(from, full.to - span));
    view.from = from;
    view.to = from + span;
    if (frame === 0) {
      frame = requestAnimationFrame(() => {
        frame = 0;
        for (const redraw of redrawers) redraw();
      });
    }
  }

  // ---- timeline ---------------------------------------------------------------------------

  function decodeTimeline(source) {
    const count = source.shown;
    const start = new Float64Array(count);
    const end = new Float64Array(count);
    const byLane = source.lanes.map(() => []);
    let at = 0;
    let maxEnd = 0;
    for (let i = 0; i < count; i++) {
      at += source.startDelta[i];
      start[i] = at / 10;
      end[i] = start[i] + source.duration[i] / 10;
      if (end[i] > maxEnd) maxEnd = end[i];
      byLane[source.lane[i]].push(i);
    }
    return {
      source,
      start,
      end,
      byLane: byLane.map((ids) => Int32Array.from(ids)),
      minStart: count > 0 ? start[0] : 0,
      maxEnd,
    };
  }

  /** The first position in `ids` (ascending starts) whose bar starts at or after `t`. */
  function firstStartingAt(ids, t) {
    let low = 0;
    let high = ids.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (timeline.start[ids[mid]] < t) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  function barLines(id) {
    const source = timeline.source;
    const task = source.tasks[source.task[id]];
    const index = source.index[id];
    const lines = [[index < 0 ? task : `${task}[${index}]`, '']];
    if (source.label[id] !== '') lines.push(source.label[id]);
    lines.push(['status', STATUSES[source.status[id]].name]);
    lines.push(['duration', formatDuration(timeline.end[id] - timeline.start[id])]);
    lines.push(['started', `+${formatDuration(timeline.start[id])}`]);
    lines.push(['worker', source.lanes[source.lane[id]].worker]);
    const failure = data.failures[source.failure[id]];
    if (failure) lines.push(['error', `${failure.code}: ${failure.pattern}`]);
    return lines;
  }

  function setUpTimeline() {
    const canvas = document.getElementById('timeline-canvas');
    const overlay = document.getElementById('timeline-overlay');
    const container = canvas.parentElement;
    const tip = container.querySelector('.tip');
    const detail = document.getElementById('timeline-detail');
    const range = document.getElementById('timeline-range');
    const lanes = timeline.source.lanes;
    const laneHeight = Math.max(1, Math.min(18, Math.floor(560 / Math.max(1, lanes.length))));
    const top = 4;
    const plotHeight = Math.max(lanes.length * laneHeight, 24);
    const height = top + plotHeight + 26;
    let width = widthOf(container);
    let hovered = -1;

    const legend = document.getElementById('timeline-legend');
    const colourBy = document.getElementById('timeline-colour');
    const perStatus = STATUSES.map(() => 0);
    for (const status of timeline.source.status) perStatus[status]++;
    const perTask = timeline.source.tasks.map(() => 0);
    for (const task of timeline.source.task) perTask[task]++;
    let isByTask = false;
    // What a bar's colour stands for: its status, or its task.
    const colourOf = (id) =>
      isByTask ? taskColor(timeline.source.task[id]) : STATUSES[timeline.source.status[id]].color;

    function showLegend() {
      legend.replaceChildren();
      const entries = isByTask
        ? timeline.source.tasks.map((name, at) => [name, taskColor(at), perTask[at]])
        : STATUSES.map((status, at) => [status.name, status.color, perStatus[at]]);
      for (const [name, color, count] of entries) {
        if (count === 0) continue;
        legend.append(
          el(
            'span',
            {},
            el('span', { class: 'swatch', style: `background:${color}` }),
            `${name} (${count.toLocaleString('en')})`,
          ),
        );
      }
    }
    showLegend();
    if (lanes.length === 0) {
      container.replaceWith(el('p', { class: 'muted' }, 'No item ran: nothing to draw.'));
      return;
    }

    const toX = (t) =>
      GUTTER + ((t - view.from) / (view.to - view.from)) * (width - GUTTER - RIGHT);
    const toTime = (x) =>
      view.from + ((x - GUTTER) / (width - GUTTER - RIGHT)) * (view.to - view.from);

    function draw() {
      width = widthOf(container);
      const context = prepare(canvas, width, height);
      prepare(overlay, width, height);
      const right = width - RIGHT;
      // Lanes of one worker share a shade; the next worker's lanes the other.
      let shade = false;
      lanes.forEach((lane, at) => {
        if (at === 0 || lane.worker !== lanes[at - 1].worker) shade = !shade;
        if (shade) {
          context.fillStyle = '#f6f8fa';
          context.fillRect(GUTTER, top + at * laneHeight, right - GUTTER, laneHeight);
        }
      });
      context.save();
      context.beginPath();
      context.rect(GUTTER, 0, right - GUTTER, top + plotHeight);
      context.clip();
      const barHeight = laneHeight > 4 ? laneHeight - 2 : laneHeight;
      const { start, end, source } = timeline;
      let fill = '';
      // Plain successes first, then every other bar over them: on a zoomed-out run of thousands
      // of items, the few that failed or were retried stay visible.
      for (const isPlainPass of [true, false]) {
        for (let lane = 0; lane < lanes.length; lane++) {
          const ids = timeline.byLane[lane];
          const y = top + lane * laneHeight + (laneHeight > 4 ? 1 : 0);
          let k = firstStartingAt(ids, view.from);
          while (k > 0 && end[ids[k - 1]] > view.from) k--;
          // Bars that land on the same pixel column as the last one drawn add nothing.
          let lastColumn = -1;
          let lastColour = '';
          for (; k < ids.length; k++) {
            const id = ids[k];
            if (start[id] > view.to) break;
            const status = source.status[id];
            if ((status === 0) !== isPlainPass) continue;
            const x0 = toX(start[id]);
            const w = Math.max(1, toX(end[id]) - x0);
            const column = Math.floor(x0 + w);
            const colour = colourOf(id);
            if (column === lastColumn && colour === lastColour && w <= 1) continue;
            lastColumn = column;
            lastColour = colour;
            if (fill !== colour) {
              fill = colour;
              context.fillStyle = colour;
            }
            context.fillRect(x0, y, w, barHeight);
          }
        }
      }
      context.restore();

      context.fillStyle = '#1d2330';
      context.textAlign = 'right';
      context.textBaseline = 'middle';
      let lastLabelY = -Infinity;
      lanes.forEach((lane, at) => {
        const isFirstOfWorker = at === 0 || lane.worker !== lanes[at - 1].worker;
        const y = top + at * laneHeight + laneHeight / 2;
        if (laneHeight >= 10 || (isFirstOfWorker && y - lastLabelY >= 12)) {
          const name = laneHeight >= 10 ? lane.name : lane.worker;
          context.fillText(
            name.length > 22 ? `${name.slice(0, 21)}…` : name,
            GUTTER - 6,
            Math.max(y, 8),
          );
          lastLabelY = y;
        }
      });
      drawBaseLine(context, GUTTER, right, top + plotHeight);
      drawTimeAxis(context, view, GUTTER, right, top + plotHeight + 1);
      const isWhole = view.from <= full.from && view.to >= full.to;
      range.textContent = isWhole
        ? `whole run: ${formatDuration(full.to - full.from)}`
        : `showing +${formatDuration(view.from)} to +${formatDuration(view.to)} of ${formatDuration(full.to)}`;
      drawHover();
    }

    function drawHover() {
      const context = overlay.getContext('2d');
      const ratio = window.devicePixelRatio || 1;
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.clearRect(0, 0, width, height);
      if (hovered < 0) return;
      const lane = timeline.source.lane[hovered];
      const x0 = Math.max(GUTTER, toX(timeline.start[hovered]));
      const x1 = Math.min(width - RIGHT, toX(timeline.end[hovered]));
      context.strokeStyle = '#1d2330';
      context.lineWidth = 1.5;
      context.strokeRect(
        x0 - 1,
        top + lane * laneHeight - 0.5,
        Math.max(2, x1 - x0 + 2),
        laneHeight + 1,
      );
    }

    function barAt(x, y) {
      const lane = Math.floor((y - top) / laneHeight);
      if (lane < 0 || lane >= lanes.length || x < GUTTER) return -1;
      const t = toTime(x);
      const slack = (3 / (width - GUTTER - RIGHT)) * (view.to - view.from);
      const ids = timeline.byLane[lane];
      let k = firstStartingAt(ids, t + slack) - 1;
      let best = -1;
      let bestDistance = Infinity;
      for (let n = 0; k >= 0 && n < 3; k--, n++) {
        const id = ids[k];
        const distance =
          t < timeline.start[id]
            ? timeline.start[id] - t
            : t > timeline.end[id]
              ? t - timeline.end[id]
              : 0;
        if (distance <= slack && distance < bestDistance) {
          best = id;
          bestDistance = distance;
        }
      }
      return best;
    }

    let drag = null;
    canvas.addEventListener('pointerdown', (event) => {
      drag = { x: pointerIn(canvas, event).x, from: view.from, to: view.to, moved: false };
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener('pointermove', (event) => {
      const { x, y } = pointerIn(canvas, event);
      if (drag !== null) {
        const dx = x - drag.x;
        if (Math.abs(dx) > 2) drag.moved = true;
        if (drag.moved) {
          container.classList.add('dragging');
          const shift = (dx / (width - GUTTER - RIGHT)) * (drag.to - drag.from);
          setView(drag.from - shift, drag.to - shift);
          tip.hidden = true;
          return;
        }
      }
      const id = barAt(x, y);
      if (id !== hovered) {
        hovered = id;
        drawHover();
      }
      if (id < 0) tip.hidden = true;
      else showTip(tip, container, x, y, barLines(id));
    });
    canvas.addEventListener('pointerup', (event) => {
      container.classList.remove('dragging');
      const wasDrag = drag !== null && drag.moved;
      drag = null;
      if (wasDrag) return;
      const { x, y } = pointerIn(canvas, event);
      const id = barAt(x, y);
      if (id < 0) return;
      detail.classList.remove('muted');
      detail.replaceChildren();
      barLines(id).forEach((line, at) => {
        if (at > 0) detail.append('\n');
        if (Array.isArray(line)) detail.append(el('b', {}, line[0]), ` ${line[1]}`);
        else detail.append(line);
      });
      const failure = timeline.source.failure[id];
      if (failure >= 0)
        detail.append(
          '\n',
          el('a', { href: `#failure-${failure}` }, 'See this failure with the other items it hit'),
        );
    });
    canvas.addEventListener('pointerleave', () => {
      hovered = -1;
      tip.hidden = true;
      drawHover();
    });
    canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const t = toTime(pointerIn(canvas, event).x);
        const factor = Math.exp(Math.max(-1, Math.min(1, event.deltaY * 0.002)));
        setView(t - (t - view.from) * factor, t + (view.to - t) * factor);
      },
      { passive: false },
    );
    canvas.addEventListener('dblclick', () => setView(full.from, full.to));
    colourBy.addEventListener('change', () => {
      isByTask = colourBy.value === 'task';
      showLegend();
      draw();
    });
    for (const button of document.querySelectorAll('[data-zoom]')) {
      button.addEventListener('click', () => {
        const middle = (view.from + view.to) / 2;
        const half = (view.to - view.from) / 2;
        const zoom = button.getAttribute('data-zoom');
        if (zoom === 'reset') setView(full.from, full.to);
        else if (zoom === 'in') setView(middle - half / 2, middle + half / 2);
        else setView(middle - half * 2, middle + half * 2);
      });
    }
    redrawers.push(draw);
    draw();
  }

  // ---- throughput and concurrency ---------------------------------------------------------

  function taskColor(at) {
    return PALETTE[at % PALETTE.length];
  }

  function setUpSeries(container) {
    const kind = container.getAttribute('data-series');
    const canvas = container.querySelector('canvas');
    const tip = container.querySelector('.tip');
    const { binMs } = data.series;
    const names = timeline.source.tasks.filter((name) => data.series[kind][name]);
    const scale = kind === 'finished' ? 1000 / binMs : 1;
    const values = names.map((name) => data.series[kind][name].map((value) => value * scale));
    const bins = values.length > 0 ? values[0].length : 0;
    // Stacked: the top line is the whole run's rate or concurrency.
    const stacked = [];
    let running = new Float64Array(bins);
    for (const series of values) {
      const next = new Float64Array(bins);
      for (let bin = 0; bin < bins; bin++) next[bin] = running[bin] + series[bin];
      stacked.push(next);
      running = next;
    }
    const height = 190;
    const top = 8;
    const plotHeight = height - top - 26;
    let width = widthOf(container);
    let hoverBin = -1;

    function draw() {
      width = widthOf(container);
      const context = prepare(canvas, width, height);
      const right = width - RIGHT;
      const first = Math.max(0, Math.floor(view.from / binMs));
      const last = Math.min(bins - 1, Math.ceil(view.to / binMs));
      let max = 0;
      for (let bin = first; bin <= last; bin++) max = Math.max(max, running[bin] || 0);
      const yTicks = niceTicks(0, max > 0 ? max * 1.05 : 1, 4);
      const yMax = yTicks[yTicks.length - 1] || 1;
      const toX = (t) => GUTTER + ((t - view.from) / (view.to - view.from)) * (right - GUTTER);
      const toY = (value) => top + plotHeight - (value / yMax) * plotHeight;
      drawValueAxis(context, yTicks, toY, GUTTER, right);
      context.save();
      context.beginPath();
      context.rect(GUTTER, 0, right - GUTTER, top + plotHeight);
      context.clip();
      for (let at = stacked.length - 1; at >= 0; at--) {
        const upper = stacked[at];
        const lower = at > 0 ? stacked[at - 1] : null;
        context.beginPath();
        context.moveTo(toX(first * binMs), toY(lower ? lower[first] : 0));
        for (let bin = first; bin <= last; bin++) {
          context.lineTo(toX(bin * binMs), toY(upper[bin]));
          context.lineTo(toX((bin + 1) * binMs), toY(upper[bin]));
        }
        for (let bin = last; bin >= first; bin--) {
          context.lineTo(toX((bin + 1) * binMs), toY(lower ? lower[bin] : 0));
          context.lineTo(toX(bin * binMs), toY(lower ? lower[bin] : 0));
        }
        context.closePath();
        context.globalAlpha = 0.75;
        context.fillStyle = taskColor(timeline.source.tasks.indexOf(names[at]));
        context.fill();
        context.globalAlpha = 1;
      }
      if (hoverBin >= first && hoverBin <= last) {
        context.fillStyle = 'rgba(29,35,48,0.12)';
        context.fillRect(
          toX(hoverBin * binMs),
          top,
          Math.max(1, toX((hoverBin + 1) * binMs) - toX(hoverBin * binMs)),
          plotHeight,
        );
      }
      context.restore();
      drawBaseLine(context, GUTTER, right, top + plotHeight);
      drawTimeAxis(context, view, GUTTER, right, top + plotHeight + 1);
    }

    canvas.addEventListener('pointermove', (event) => {
      const { x, y } = pointerIn(canvas, event);
      const t = view.from + ((x - GUTTER) / (width - GUTTER - RIGHT)) * (view.to - view.from);
      const bin = x < GUTTER ? -1 : Math.floor(t / binMs);
      if (bin !== hoverBin) {
        hoverBin = bin;
        draw();
      }
      if (bin < 0 || bin >= bins) {
        tip.hidden = true;
        return;
      }
      const unit = kind === 'finished' ? 'items/s' : 'running';
      const lines = [
        [`+${formatDuration(bin * binMs)} to +${formatDuration((bin + 1) * binMs)}`, ''],
      ];
      names.forEach((name, at) => lines.push([name, `${formatNumber(values[at][bin])} ${unit}`]));
      if (names.length > 1) lines.push(['all tasks', `${formatNumber(running[bin])} ${unit}`]);
      showTip(tip, container, x, y, lines);
    });
    canvas.addEventListener('pointerleave', () => {
      hoverBin = -1;
      tip.hidden = true;
      draw();
    });
    redrawers.push(draw);
    draw();
  }

  // ---- durations --------------------------------------------------------------------------

  function setUpHistogram(container) {
    const task = data.tasks[Number(container.getAttribute('data-task'))];
    const { edges, counts, isLog } = task.histogram;
    const canvas = container.querySelector('canvas');
    const tip = container.querySelector('.tip');
    const height = 150;
    const top = 14;
    const plotHeight = height - top - 24;
    const left = 60;
    let width = widthOf(container);
    let hoverBin = -1;
    const maxCount = Math.max(...counts, 1);
    const total = counts.reduce((sum, count) => sum + count, 0);
    const first = edges[0];
    const lastEdge = edges[edges.length - 1];
    const position = (ms) => {
      if (lastEdge <= first) return 0;
      const clamped = Math.max(first, Math.min(lastEdge, ms));
      return isLog
        ? Math.log(clamped / first) / Math.log(lastEdge / first)
        : (clamped - first) / (lastEdge - first);
    };

    function draw() {
      width = Math.min(widthOf(container), 900);
      const context = prepare(canvas, width, height);
      const right = width - RIGHT;
      const binWidth = (right - left) / counts.length;
      const yTicks = niceTicks(0, maxCount, 3);
      const yMax = Math.max(yTicks[yTicks.length - 1], maxCount);
      const toY = (count) => top + plotHeight - (count / yMax) * plotHeight;
      drawValueAxis(context, yTicks, toY, left, right);
      counts.forEach((count, at) => {
        if (count === 0) return;
        context.fillStyle = at === hoverBin ? '#2b55a6' : '#4e79a7';
        const y = toY(count);
        context.fillRect(
          left + at * binWidth + 0.5,
          y,
          Math.max(1, binWidth - 1),
          top + plotHeight - y,
        );
      });
      drawBaseLine(context, left, right, top + plotHeight);
      context.fillStyle = AXIS;
      context.textAlign = 'center';
      context.textBaseline = 'top';
      const labelEvery = Math.max(
        1,
        Math.ceil(counts.length / Math.max(2, Math.floor((right - left) / 80))),
      );
      for (let at = 0; at < edges.length; at += labelEvery) {
        context.fillText(formatDuration(edges[at]), left + at * binWidth, top + plotHeight + 5);
      }
      const stats = task.durations;
      context.textBaseline = 'bottom';
      let lastLabelX = -Infinity;
      let labelRow = 0;
      for (const [name, value] of [
        ['p50', stats.p50],
        ['p90', stats.p90],
        ['p99', stats.p99],
      ]) {
        const x = left + position(value) * (right - left);
        context.strokeStyle = '#d64545';
        context.setLineDash([4, 3]);
        context.beginPath();
        context.moveTo(x, top);
        context.lineTo(x, top + plotHeight);
        context.stroke();
        context.setLineDash([]);
        context.fillStyle = '#9b2020';
        // Percentiles that fall close together get their labels on separate rows.
        labelRow = x - lastLabelX < 26 ? labelRow + 1 : 0;
        lastLabelX = x;
        context.textAlign = labelRow === 0 ? 'center' : 'left';
        context.fillText(name, labelRow === 0 ? x : x + 3, top + labelRow * 12);
      }
    }

    canvas.addEventListener('pointermove', (event) => {
      const { x, y } = pointerIn(canvas, event);
      const binWidth = (width - RIGHT - left) / counts.length;
      const bin = Math.floor((x - left) / binWidth);
      if (bin !== hoverBin) {
        hoverBin = bin;
        draw();
      }
      if (bin < 0 || bin >= counts.length) {
        tip.hidden = true;
        return;
      }
      const share = total > 0 ? ` (${((counts[bin] / total) * 100).toFixed(1)}%)` : '';
      showTip(tip, container, x, y, [
        [`${formatDuration(edges[bin])} to ${formatDuration(edges[bin + 1])}`, ''],
        ['items', `${counts[bin].toLocaleString('en')}${share}`],
      ]);
    });
    canvas.addEventListener('pointerleave', () => {
      hoverBin = -1;
      tip.hidden = true;
      draw();
    });
    redrawers.push(draw);
    draw();
  }

  // ---- the page ---------------------------------------------------------------------------

  function localTimes() {
    for (const node of document.querySelectorAll('time[datetime]')) {
      const date = new Date(node.getAttribute('datetime'));
      if (Number.isNaN(date.getTime())) continue;
      node.title = node.textContent;
      node.textContent = `${date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })}`;
    }
  }

  function taskLegend() {
    const legend = document.getElementById('task-legend');
    timeline.source.tasks.forEach((name, at) => {
      if (!data.series.finished[name] || data.series.finished[name].every((value) => value === 0))
        return;
      legend.append(
        el('span', {}, el('span', { class: 'swatch', style: `background:${taskColor(at)}` }), name),
      );
    });
  }

  /** One part that fails to draw says so in its place; the others still draw. */
  function guarded(part, draw) {
    try {
      draw();
    } catch (error) {
      console.error(`jobrun report: the ${part} could not be drawn`, error);
      document.body.setAttribute('data-render-error', String(error && error.message));
    }
  }

  guarded('times', localTimes);
  guarded('timeline', setUpTimeline);
  guarded('task legend', taskLegend);
  for (const container of document.querySelectorAll('.chart.series'))
    guarded('series chart', () => setUpSeries(container));
  for (const container of document.querySelectorAll('.chart.histogram'))
    guarded('histogram', () => setUpHistogram(container));
  let resizeFrame = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(resizeFrame);
    resizeFrame = requestAnimationFrame(() => {
      for (const redraw of redrawers) redraw();
    });
  });
  document.documentElement.setAttribute('data-rendered', 'true');
})();
