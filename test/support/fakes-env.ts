import type { FakeSmartyPay } from './fake-smartypay.js';
import type { FakeTelegram } from './fake-telegram.js';

/** The variables that point the app at the fakes instead of Telegram and SMARTy Pay (tests, bench, sandbox). */
export function fakesEnv(fakes: { telegram: FakeTelegram; smartypay: FakeSmartyPay }): Record<string, string> {
  return {
    BOT_TOKEN: fakes.telegram.token,
    TELEGRAM_API_ROOT: fakes.telegram.apiRoot,
    SMARTYPAY_API_KEY: fakes.smartypay.apiKey,
    SMARTYPAY_SECRET_KEY: fakes.smartypay.secretKey,
    SMARTYPAY_API_HOST: fakes.smartypay.url,
  };
}
