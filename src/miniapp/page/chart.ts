import uPlot from 'uplot';
import { onReplaced } from './dom.js';
import type { Translate } from './i18n.js';

export interface DailyPoint {
  day: string;
  created: number;
  paid: number;
}

/**
 * The last 30 days as two lines, invoices created and paid, sized to its container (and again on resize). When the
 * view is replaced the observer is disconnected and the plot destroyed (its window listeners go with it).
 */
export function dailyChart(container: HTMLElement, daily: DailyPoint[], t: Translate): void {
  const css = getComputedStyle(document.documentElement);
  const colour = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const text = colour('--tg-theme-hint-color', '#888');
  const x = daily.map((point) => Date.parse(`${point.day}T00:00:00Z`) / 1000);
  const axis = { stroke: text, grid: { stroke: `${text}33` }, ticks: { stroke: `${text}33` } };
  const options: uPlot.Options = {
    width: Math.max(200, container.clientWidth),
    height: 200,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [axis, { ...axis, size: 36 }],
    series: [
      {},
      { label: t('app-chart-created'), stroke: colour('--tg-theme-hint-color', '#999'), width: 2 },
      { label: t('app-chart-paid'), stroke: colour('--tg-theme-button-color', '#2481cc'), width: 2 },
    ],
  };
  const plot = new uPlot(
    options,
    [x, daily.map((point) => point.created), daily.map((point) => point.paid)],
    container,
  );
  const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, container.clientWidth), height: 200 }));
  resize.observe(container);
  onReplaced(container, () => {
    resize.disconnect();
    plot.destroy();
  });
}
