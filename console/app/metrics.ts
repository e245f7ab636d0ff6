/// <reference lib="dom" />
import type { ConsoleBoard } from '../../core/console-views';
import { formatDuration } from '../../core/duration';
import type { MetricsView } from '../../core/metrics';
import type { ConsoleApi } from './api';
import { el, replace } from './dom';

/*
 * The board's delivery metrics panel (docs/console.md#delivery-metrics): deployments per day as bars of
 * an SVG made with DOM calls (no markup parsed, no inline style: the CSP allows neither), and the four
 * figures as text. One environment at a time, the last one first; read again at most once a minute.
 */

const SVG = 'http://www.w3.org/2000/svg';
const REFRESH_MS = 60_000;
const [WIDTH, HEIGHT, GAP] = [620, 90, 2];

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, ...children: Node[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

/** One panel for the page's life, moved into each redrawn board, so a redraw neither refetches nor flickers. */
export class MetricsPanel {
  private readonly figures = el('div', { class: 'figures' });
  private readonly chart = el('div', { class: 'chart' });
  private readonly picker = el('select', { id: 'metrics-environment', onchange: () => void this.load() });
  private readonly root = el(
    'section',
    { class: 'metrics panel', 'aria-labelledby': 'metrics-title' },
    el('h2', { id: 'metrics-title' }, 'Delivery, last 30 days'),
    el('label', { for: 'metrics-environment' }, 'Metrics of the environment'),
    this.picker,
    this.figures,
    this.chart,
  );
  private loadedAt = 0;

  constructor(private readonly api: ConsoleApi) {}

  /** The panel for this board (a `BOARD_PANELS` entry). */
  view(board: ConsoleBoard): HTMLElement {
    const names = board.environments.map((env) => env.name);
    if (this.picker.options.length !== names.length) {
      replace(this.picker, names.map((name) => el('option', { value: name }, name)));
      this.picker.value = names[names.length - 1] ?? '';
    }
    if (Date.now() - this.loadedAt > REFRESH_MS) void this.load();
    return this.root;
  }

  private async load(): Promise<void> {
    this.loadedAt = Date.now();
    const environment = this.picker.value;
    try {
      const metrics = await this.api.get<MetricsView>(`metrics?${new URLSearchParams({ environment, days: '30' }).toString()}`);
      if (metrics.environment !== this.picker.value) return;
      replace(this.figures, figures(metrics));
      replace(this.chart, chart(metrics));
    } catch (error) {
      replace(this.figures, el('p', { role: 'alert' }, `Metrics not read: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
}

function figures(metrics: MetricsView): HTMLElement {
  const { deploymentFrequency: frequency, leadTime, changeFailureRate: failures, timeToRestore: restore } = metrics;
  const rows: Array<[string, string]> = [
    ['Deployment frequency', `${frequency.perDay} a day (${frequency.deployments} deployments)`],
    ['Lead time for changes', leadTime.changes === 0 ? 'no change accepted' : `median ${formatDuration(leadTime.medianSeconds)}, p90 ${formatDuration(leadTime.p90Seconds)} (${leadTime.changes} changes)`],
    ['Change failure rate', failures.rate === null ? 'no deployment' : `${Math.round(failures.rate * 1000) / 10}% (${failures.failures} of ${failures.deployments})`],
    [
      'Time to restore',
      (restore.restored === 0 ? 'nothing restored' : `median ${formatDuration(restore.medianSeconds)} (${restore.restored} restored)`) + (restore.unrestored > 0 ? `, ${restore.unrestored} not restored yet` : ''),
    ],
  ];
  return el('dl', { class: 'figures-list', 'aria-label': `Delivery metrics of ${metrics.environment}` }, rows.map(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
}

/** Deployments per UTC day as bars, failures as the darker part of each; each bar titled with its numbers. */
function chart(metrics: MetricsView): SVGSVGElement {
  const days = metrics.daily;
  const most = Math.max(1, ...days.map((day) => day.deployments));
  const step = WIDTH / Math.max(1, days.length);
  const total = metrics.deploymentFrequency.deployments;
  const label = `Deployments per day in ${metrics.environment}, ${days[0]?.date ?? ''} to ${days[days.length - 1]?.date ?? ''}: ${total} in all, at most ${most} a day`;
  const bars = days.map((day, index) => {
    const height = (day.deployments / most) * HEIGHT;
    const failed = (day.failures / most) * HEIGHT;
    const x = index * step;
    const width = Math.max(1, step - GAP);
    return svg(
      'g',
      { class: 'day', 'data-date': day.date, 'data-deployments': day.deployments },
      svg('title', {}, document.createTextNode(`${day.date}: ${day.deployments} deployment${day.deployments === 1 ? '' : 's'}, ${day.failures} failed`)),
      svg('rect', { class: 'bar', x, y: HEIGHT - height, width, height }),
      svg('rect', { class: 'bar failed', x, y: HEIGHT - failed, width, height: failed }),
      svg('rect', { class: 'baseline', x, y: HEIGHT, width, height: 1 }),
    );
  });
  return svg('svg', { class: 'daily', viewBox: `0 0 ${WIDTH} ${HEIGHT + 1}`, role: 'img', 'aria-label': label, preserveAspectRatio: 'none' }, ...bars);
}
