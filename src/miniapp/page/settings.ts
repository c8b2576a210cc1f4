import type { View } from './context.js';
import { field, h, replace } from './dom.js';
import { utc } from './i18n.js';

// Settings, read-only: what the operator set in the environment, the webhook URL to paste into SMARTy Pay's
// dashboard, and when a signed webhook last arrived (none = SMARTy Pay has not reached the bot).

interface Settings {
  tokens: { accepted: string[]; defaultToken: string };
  invoiceTtlMinutes: number;
  reminderMinutes: number;
  smartyPayWebhookUrl: string | null;
  lastWebhookAt: string | null;
}

export async function showSettings(view: View): Promise<void> {
  const { t, call, root } = view;
  const s = await call<Settings>('settings');
  const url = s.smartyPayWebhookUrl;
  const copy = async () => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      view.notify(t('app-copied'));
    } catch {
      view.notify(t('app-copy-failed'));
    }
  };
  replace(
    root,
    h('h2', {}, t('app-tab-settings')),
    h(
      'section',
      { class: 'card' },
      h(
        'dl',
        { class: 'fields' },
        field(
          t('app-settings-tokens'),
          t('app-settings-tokens-value', { tokens: s.tokens.accepted.join(', '), token: s.tokens.defaultToken }),
        ),
        field(t('app-settings-ttl'), t('app-minutes', { minutes: s.invoiceTtlMinutes })),
        field(
          t('app-settings-reminder'),
          s.reminderMinutes === 0 ? t('app-settings-reminder-off') : t('app-minutes', { minutes: s.reminderMinutes }),
        ),
        field(
          t('app-settings-webhook-url'),
          url ? h('code', { class: 'code', id: 'webhook-url' }, url) : t('app-settings-no-public-url'),
          url
            ? h('button', { class: 'secondary', id: 'copy-webhook-url', onclick: () => void copy() }, t('app-copy'))
            : '',
        ),
        field(t('app-settings-last-webhook'), s.lastWebhookAt ? utc(s.lastWebhookAt) : t('app-settings-no-webhook')),
      ),
      h('p', { class: 'hint' }, t('app-settings-hint')),
    ),
  );
}
