import type { FailureGroup, ItemSummary, ReportData, TaskReport } from './model.ts';
import { escapeHtml, formatCount, formatMs, row, timeElement } from './html.ts';

const COUNT_KEYS = ['ok', 'failed', 'skipped', 'cancelled', 'cached', 'retried'] as const;

function badge(status: string): string {
  return `<span class="badge status-${escapeHtml(status)}">${escapeHtml(status === 'incomplete' ? 'incomplete run' : status)}</span>`;
}

function executorText(data: ReportData): string {
  const parts: string[] = [];
  if (data.executor !== null) {
    const { kind, maxWorkers } = data.executor;
    parts.push(`${kind}${maxWorkers === null ? '' : `, maxWorkers ${maxWorkers}`} (job default)`);
  }
  const seen = Object.entries(data.workers).map(
    ([kind, count]) => `${kind}${kind === 'coroutine' ? '' : ` ×${count}`}`,
  );
  if (seen.length > 0) parts.push(`ran on ${seen.join(', ')}`);
  return escapeHtml(parts.join('; ') || '–');
}

export function renderHeader(data: ReportData): string {
  const title = data.job ?? 'jobrun run';
  const facts: [string, string][] = [
    ['Started', timeElement(data.startedAt)],
    ['Finished', timeElement(data.finishedAt)],
    ['Duration', escapeHtml(formatMs(data.durationMs))],
    ['Executor', executorText(data)],
    ['Run id', `<code>${escapeHtml(data.runId ?? '–')}</code>`],
    ['Results file', `<code>${escapeHtml(data.resultsFile)}</code>`],
  ];
  const incomplete =
    data.incomplete === null
      ? ''
      : `<p class="banner" role="alert"><strong>Incomplete run:</strong> ${escapeHtml(data.incomplete)}. What it shows is what had been recorded.</p>`;
  const tiles = [
    ['items', data.counts.items] as const,
    ...COUNT_KEYS.map((key) => [key, data.counts[key]] as const),
  ]
    .map(
      ([key, value]) =>
        `<div class="tile tile-${key}"><span class="tile-value">${formatCount(value)}</span><span class="tile-label">${key}</span></div>`,
    )
    .join('');
  return `<header>
<h1>${escapeHtml(title)} ${badge(data.status)}</h1>
${incomplete}
<dl class="facts">${facts.map(([term, value]) => `<div><dt>${term}</dt><dd>${value}</dd></div>`).join('')}</dl>
<div class="tiles">${tiles}</div>
</header>`;
}

export function renderTasks(data: ReportData): string {
  const head = ['Task', 'Status', 'Items', ...COUNT_KEYS, 'Span', 'p50', 'p90', 'p99', 'Max'];
  const numeric = head.map((_, at) => at >= 2);
  const rows = data.tasks.map((task) => {
    const span =
      task.firstStartMs === null || task.lastEndMs === null
        ? null
        : task.lastEndMs - task.firstStartMs;
    return row(
      [
        `<a href="#task-${escapeHtml(task.name)}">${escapeHtml(task.name)}</a>`,
        badge(task.status),
        formatCount(task.total),
        ...COUNT_KEYS.map((key) => formatCount(task.counts[key])),
        formatMs(span),
        formatMs(task.durations?.p50),
        formatMs(task.durations?.p90),
        formatMs(task.durations?.p99),
        formatMs(task.durations?.max),
      ],
      numeric,
    );
  });
  const services =
    data.services.length === 0
      ? ''
      : `<h3>Services</h3><table><thead><tr><th>Service</th><th>Status</th><th class="num">Ready after</th><th class="num">Exit code</th></tr></thead><tbody>${data.services
          .map((service) =>
            row(
              [
                escapeHtml(service.name),
                badge(service.status),
                formatMs(service.readyMs),
                service.exitCode === null ? '–' : String(service.exitCode),
              ],
              [false, false, true, true],
            ),
          )
          .join('')}</tbody></table>`;
  return `<section id="tasks"><h2>Tasks</h2>
<table><thead><tr>${head.map((cell, at) => `<th${numeric[at] ? ' class="num"' : ''}>${cell}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>
${services}</section>`;
}

function itemRows(items: ItemSummary[], withError: boolean): string {
  return items
    .map((item) =>
      row(
        [
          escapeHtml(item.task),
          item.index === null ? '–' : formatCount(item.index),
          `<code>${escapeHtml(item.item)}</code>`,
          badge(item.status),
          formatMs(item.durationMs),
          String(item.attempts),
          escapeHtml(item.worker ?? '–'),
          ...(withError ? [`<span class="error-text">${escapeHtml(item.error ?? '')}</span>`] : []),
        ],
        [false, true, false, false, true, true, false, false],
      ),
    )
    .join('');
}

function itemTable(items: ItemSummary[], withError: boolean): string {
  const head = ['Task', 'Index', 'Item', 'Status', 'Duration', 'Attempts', 'Worker'];
  if (withError) head.push('Error');
  const numeric = new Set(['Index', 'Duration', 'Attempts']);
  return `<table class="items"><thead><tr>${head.map((cell) => `<th${numeric.has(cell) ? ' class="num"' : ''}>${cell}</th>`).join('')}</tr></thead><tbody>${itemRows(items, withError)}</tbody></table>`;
}

function renderTaskDurations(task: TaskReport, at: number): string {
  const stats = task.durations;
  const summary =
    stats === null
      ? '<p class="muted">No item of this task ran.</p>'
      : `<p class="stats">${formatCount(stats.count)} ran · min ${formatMs(stats.min)} · mean ${formatMs(stats.mean)} · <b>p50 ${formatMs(stats.p50)}</b> · <b>p90 ${formatMs(stats.p90)}</b> · <b>p99 ${formatMs(stats.p99)}</b> · max ${formatMs(stats.max)}</p>`;
  const chart =
    task.histogram === null
      ? ''
      : `<div class="chart histogram" data-task="${at}"><canvas aria-label="Distribution of ${escapeHtml(task.name)} durations"></canvas><div class="tip" hidden></div></div>`;
  const slowest =
    task.slowest.length === 0
      ? ''
      : `<details open><summary>Slowest ${task.slowest.length} item${task.slowest.length === 1 ? '' : 's'}</summary>${itemTable(task.slowest, true)}</details>`;
  return `<article class="task-durations" id="task-${escapeHtml(task.name)}"><h3>${escapeHtml(task.name)}</h3>${summary}${chart}${slowest}</article>`;
}

export function renderDurations(data: ReportData): string {
  return `<section id="durations"><h2>Item durations per task</h2>${data.tasks.map(renderTaskDurations).join('')}</section>`;
}

function renderFailureGroup(group: FailureGroup, at: number): string {
  const tasks = Object.entries(group.tasks)
    .map(([task, count]) => `${escapeHtml(task)} ×${formatCount(count)}`)
    .join(', ');
  const more = group.count - group.items.length;
  const stack =
    group.stack === null
      ? ''
      : `<details><summary>Stack of the first</summary><pre>${escapeHtml(group.stack)}</pre></details>`;
  return `<article class="failure" id="failure-${at}">
<h3><span class="code">${escapeHtml(group.code)}</span> <span class="count">×${formatCount(group.count)}</span> <code class="pattern">${escapeHtml(group.pattern)}</code></h3>
<p class="muted">in ${tasks}. First message: <code>${escapeHtml(group.sample)}</code></p>
<details${group.items.length <= 10 ? ' open' : ''}><summary>${group.items.length === group.count ? `The ${formatCount(group.count)} item${group.count === 1 ? '' : 's'}` : `The first ${formatCount(group.items.length)} items (${formatCount(more)} more)`}</summary>${itemTable(group.items, true)}</details>
${stack}</article>`;
}

export function renderFailures(data: ReportData): string {
  const order = data.failures
    .map((group, at) => ({ group, at }))
    .sort((a, b) => b.group.count - a.group.count || a.at - b.at);
  const total = data.failures.reduce((sum, group) => sum + group.count, 0) + data.failuresFolded;
  const body =
    total === 0
      ? '<p class="muted">No item failed.</p>'
      : `<p>${formatCount(total)} failed item${total === 1 ? '' : 's'} in ${formatCount(data.failures.length)} group${data.failures.length === 1 ? '' : 's'} (same code, same message once URLs, paths and numbers are set aside).${data.failuresFolded > 0 ? ` ${formatCount(data.failuresFolded)} more with other messages are not listed.` : ''}</p>${order.map(({ group, at }) => renderFailureGroup(group, at)).join('')}`;
  return `<section id="failures"><h2>Failures</h2>${body}</section>`;
}
