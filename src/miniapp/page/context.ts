import type { Call } from './api.js';
import type { Translate } from './i18n.js';

/** What every view gets: the translator, the API and where to draw. */
export interface View {
  t: Translate;
  call: Call;
  root: HTMLElement;
  /** Shows a short note (saved, copied, failed) at the bottom. */
  notify(text: string): void;
}

export interface WindowStats {
  created: number;
  paid: number;
  expired: number;
  volume: Array<{ token: string; received: string; due: string }>;
}

export interface InvoiceJson {
  id: number;
  status: string;
  amount: string;
  token: string;
  description: string | null;
  chatId: number | null;
  notifyChatId: number;
  productId: number | null;
  createdAt: string;
  expiresAt: string;
  paidAt: string | null;
  cancelledAt: string | null;
  paidAmount: string | null;
  paidToken: string | null;
}
