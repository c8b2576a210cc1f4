import { type DailyPoint, dailyChart } from './chart.js';
import type { View, WindowStats } from './context.js';
import { h, replace } from './dom.js';
import { decimal, money } from './i18n.js';

// Overview: /app/api/stats, the same figures /stats gives one chat, for every chat: the last 24 hours, 7 and 30
// days, and the 30 days as a chart.

interface Stats {
  day: WindowStats;
  week: WindowStats;
  month: WindowStats;
  daily: DailyPoint[];
}

export async function showOverview(view: View): Promise<void> {
  const { t, call, root } = view;
  const stats = await call<Stats>('stats');
  const conversion = (w: WindowStats) =>
    w.created === 0 ? '—' : `${decimal(((w.paid / w.created) * 100).toFixed(1), t.locale)}%`;
  const card = (title: string, w: WindowStats) =>
    h(
      'section',
      { class: 'card window' },
      h('h3', {}, title),
      h('p', { class: 'counts' }, t('app-counts', { created: w.created, paid: w.paid, expired: w.expired })),
      h('p', {}, t('app-conversion', { percent: conversion(w) })),
      w.volume.length === 0
        ? h('p', { class: 'hint' }, t('app-nothing-received'))
        : h(
            'ul',
            { class: 'volume' },
            ...w.volume.map((line) =>
              h('li', {}, t('app-received-line', { received: money(line.received, line.token, t.locale) })),
            ),
          ),
    );
  const chart = h('div', { class: 'chart', id: 'chart' });
  replace(
    root,
    h('h2', {}, t('app-tab-overview')),
    h(
      'div',
      { class: 'windows' },
      card(t('app-window-day'), stats.day),
      card(t('app-window-week'), stats.week),
      card(t('app-window-month'), stats.month),
    ),
    h('section', { class: 'card' }, h('h3', {}, t('app-chart-title')), chart),
  );
  dailyChart(chart, stats.daily, t);
}
