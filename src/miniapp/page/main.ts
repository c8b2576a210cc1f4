import { init, miniApp, retrieveLaunchParams, retrieveRawInitData } from '@telegram-apps/sdk';
import { ApiError, createApi } from './api.js';
import type { View } from './context.js';
import { h, replace } from './dom.js';
import { type Locale, pickLocale, type Translate, translator } from './i18n.js';
import { showInvoices } from './invoices.js';
import { showMembers } from './members.js';
import { showOverview } from './overview.js';
import { showProducts } from './products.js';
import { showSettings } from './settings.js';

// The merchant dashboard, a Telegram Mini App. Telegram opens it with its launch parameters in the URL's hash
// (tgWebAppData = the signed init data, tgWebAppThemeParams = the client's colours), read by the Mini App SDK
// (bundled, nothing loaded from telegram.org). Every API call sends the raw init data; the server decides.

const TABS = {
  overview: showOverview,
  invoices: (view: View) => showInvoices(view),
  products: showProducts,
  members: showMembers,
  settings: showSettings,
} as const;
type Tab = keyof typeof TABS;

interface Launch {
  rawInitData: string | undefined;
  locale: Locale;
  theme: Record<string, string>;
}

function readLaunch(): Launch {
  try {
    const params = retrieveLaunchParams() as Record<string, any>;
    const user = params.tgWebAppData?.user as Record<string, any> | undefined;
    return {
      rawInitData: retrieveRawInitData(),
      locale: pickLocale(user?.language_code ?? user?.languageCode ?? navigator.language),
      theme: (params.tgWebAppThemeParams ?? {}) as Record<string, string>,
    };
  } catch {
    // Not opened by Telegram (no launch parameters): the page says how to open it.
    return { rawInitData: undefined, locale: pickLocale(navigator.language), theme: {} };
  }
}

/** Telegram's theme as CSS variables (--tg-theme-bg-color, …); dark when the background is. */
function applyTheme(theme: Record<string, string>): void {
  const style = document.documentElement.style;
  for (const [key, value] of Object.entries(theme)) {
    if (typeof value !== 'string' || !/^#[0-9a-f]{3,8}$/i.test(value)) continue;
    const name = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/_/g, '-');
    style.setProperty(`--tg-theme-${name}`, value);
  }
  const bg = theme.bgColor ?? theme.bg_color;
  const dark = typeof bg === 'string' && /^#[0-9a-f]{6}$/i.test(bg) && luminance(bg) < 0.5;
  document.documentElement.dataset.scheme = dark ? 'dark' : 'light';
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

function refusalText(t: Translate, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401 && error.reason === 'expired') return t('app-error-expired');
    if (error.status === 401 && error.reason === 'missing') return t('app-error-not-in-telegram');
    if (error.status === 401) return t('app-error-invalid');
    if (error.status === 403 && error.reason === 'setup_mode') return t('app-error-setup-mode');
    if (error.status === 403) return t('app-error-not-merchant');
  }
  return t('app-error-failed');
}

function start(): void {
  const launch = readLaunch();
  applyTheme(launch.theme);
  const t = translator(launch.locale);
  document.documentElement.lang = launch.locale;
  document.title = t('app-title');
  const app = document.getElementById('app') as HTMLElement;
  const showError = (error: unknown) =>
    replace(app, h('div', { class: 'refusal', id: 'refusal', role: 'alert' }, h('p', {}, refusalText(t, error))));
  if (!launch.rawInitData) {
    showError(new ApiError(401, 'missing'));
    return;
  }
  try {
    init();
    miniApp.mountSync();
    miniApp.ready();
  } catch {
    // Outside a Telegram client the SDK cannot reach it; the page works without.
  }

  const toast = h('div', { class: 'toast', id: 'toast', role: 'status', hidden: true });
  const content = h('main', { id: 'content' });
  const view: View = {
    t,
    call: createApi(launch.rawInitData),
    root: content,
    notify(text) {
      toast.textContent = text;
      toast.hidden = false;
      setTimeout(() => {
        toast.hidden = true;
      }, 2500);
    },
  };
  const buttons = (Object.keys(TABS) as Tab[]).map((tab) =>
    h('button', { class: 'tab', 'data-tab': tab, onclick: () => void open(tab) }, t(`app-tab-${tab}`)),
  );
  async function open(tab: Tab): Promise<void> {
    for (const button of buttons) button.classList.toggle('active', button.dataset.tab === tab);
    replace(content, h('p', { class: 'hint' }, t('app-loading')));
    try {
      await TABS[tab](view);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) showError(error);
      else replace(content, h('p', { class: 'refusal', role: 'alert' }, refusalText(t, error)));
    }
  }
  replace(app, h('nav', { class: 'tabs' }, ...buttons), content, toast);
  void open('overview');
}

start();
