import { Composer } from 'grammy';
import { type Translate, translateOf } from '../../i18n/index.js';
import type { ChatStats, InvoiceReports, WindowStats } from '../../invoices/reports.js';
import { formatPercent } from '../../i18n/numbers.js';
import type { BotContext } from '../context.js';
import { ensureMerchant } from '../guard.js';
import type { Permissions } from '../permissions.js';
import { replyTo } from '../reply.js';
import { conversionPercent, formatVolume } from './report-format.js';

// /stats: this chat's invoices created in the last 24 h, 7 days and ever, by what became of them.

export interface StatsFeatureDeps {
  reports: InvoiceReports;
  permissions: Permissions;
}

function renderWindow(t: Translate, titleKey: string, stats: WindowStats): string {
  return [
    `<b>${t(titleKey)}</b>`,
    t('stats-counts', { created: stats.created, paid: stats.paid, expired: stats.expired }),
    t('stats-conversion', { percent: formatPercent(conversionPercent(stats.paid, stats.created), t.locale) }),
    t('stats-volume', { volume: formatVolume(t, stats.volume) }),
  ].join('\n');
}

export function renderStats(t: Translate, stats: ChatStats): string {
  return [
    t('stats-title'),
    renderWindow(t, 'stats-day', stats.day),
    renderWindow(t, 'stats-week', stats.week),
    renderWindow(t, 'stats-all-time', stats.allTime),
  ].join('\n\n');
}

export function createStatsFeature(deps: StatsFeatureDeps) {
  const composer = new Composer<BotContext>();
  composer.command('stats', async (ctx) => {
    if (!(await ensureMerchant(ctx, deps.permissions))) return;
    const stats = await deps.reports.stats(ctx.chat.id);
    await ctx.reply(renderStats(await translateOf(ctx), stats), {
      reply_parameters: replyTo(ctx.msg.message_id),
    });
  });
  return composer;
}
