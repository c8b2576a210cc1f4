import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { z } from 'zod';
import type { Database } from '../src/db/client.js';
import type { FakeSmartyPay } from '../test/support/fake-smartypay.js';
import type { SandboxChannel } from './channel.js';
import { SANDBOX_CHAT_KEYS, type SandboxChatKey, type SandboxChats } from './chat.js';
import { CHECKOUT_ACTIONS, type SandboxCheckout } from './checkout.js';
import type { SandboxClock } from './clock.js';
import { readPanelRows } from './panel.js';

// The sandbox page and its small JSON API: the page polls GET /api/state?chat=<group|merchant|customer|shopper>
// (the chat it shows) and posts what the person does (type, press a button, choose at the checkout, open an invite
// link to the private channel, advance the clock).

export interface SandboxServerDeps {
  chats: SandboxChats;
  channel: SandboxChannel;
  checkout: SandboxCheckout;
  clock: SandboxClock;
  smartypay: FakeSmartyPay;
  db: Database;
  botName: string;
  /** The dashboard Mini App as Telegram would open it for the merchant: /app/ with freshly signed init data. */
  dashboardUrl(): string;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

const user = z.enum(['merchant', 'customer', 'shopper']);
const chatKey = z.enum(SANDBOX_CHAT_KEYS).default('group');
const messageBody = z.object({
  chat: chatKey,
  user,
  text: z.string().trim().min(1).max(4096),
  replyTo: z.number().int().optional(),
});
const callbackBody = z.object({ chat: chatKey, user, messageId: z.number().int(), data: z.string().min(1).max(64) });
const advanceBody = z.object({
  minutes: z
    .number()
    .positive()
    .max(60 * 24 * 7),
});
const action = z.enum(CHECKOUT_ACTIONS);
const joinBody = z.object({ user, inviteLink: z.string().startsWith('https://t.me/+').max(200) });

export function createSandboxServer(deps: SandboxServerDeps): Express {
  const { chats, checkout, clock, smartypay } = deps;
  const chatIds = SANDBOX_CHAT_KEYS.map((key) => chats.chats[key].id);
  const app = express();
  app.use(express.json({ limit: '16kb' }));
  app.use(express.static(PUBLIC_DIR));

  // The invoice card's Pay button points here (SMARTYPAY_CHECKOUT_URL): open the page's checkout panel.
  app.get('/checkout', (req, res) => {
    const id = typeof req.query['invoice-id'] === 'string' ? req.query['invoice-id'] : '';
    res.redirect(`/#checkout=${encodeURIComponent(id)}`);
  });

  // The panel's Dashboard button: a fresh session each time (init data expires after MINIAPP_AUTH_MAX_AGE_SECONDS).
  app.get('/dashboard', (_req, res) => {
    res.redirect(deps.dashboardUrl());
  });

  app.get('/api/state', async (req, res) => {
    const shown: SandboxChatKey = chatKey.parse(req.query.chat);
    res.json({
      bot: deps.botName,
      chat: chats.chats[shown],
      // Every chat with how many messages it holds, so the page can mark the ones with news.
      chats: SANDBOX_CHAT_KEYS.map((key) => ({ ...chats.chats[key], count: chats.messages(key).length })),
      clock: { now: clock.now().toISOString(), offsetMs: clock.offsetMs() },
      messages: chats.messages(shown),
      deliveries: checkout.deliveries().reverse(),
      channel: deps.channel.view(),
      ...(await readPanelRows(deps.db, chatIds)),
    });
  });

  app.post('/api/messages', (req, res) => {
    const body = messageBody.parse(req.body);
    res.status(201).json(chats.post(body.chat, body.user, body.text, body.replyTo));
  });

  // A person opens their personal invite link (the bot's Join button): a join request the bot answers.
  app.post('/api/channel/join', (req, res) => {
    const body = joinBody.parse(req.body);
    deps.channel.join(body.user, body.inviteLink);
    res.status(202).json({});
  });

  app.post('/api/callback', async (req, res) => {
    const body = callbackBody.parse(req.body);
    res.json(await chats.press(body.chat, body.user, body.messageId, body.data));
  });

  // A document the bot sent (the /export CSV), as the person would download it from Telegram.
  app.get('/api/chats/:chat/documents/:messageId', (req, res) => {
    const file = chats.document(z.enum(SANDBOX_CHAT_KEYS).parse(req.params.chat), Number(req.params.messageId));
    if (!file) return void res.status(404).json({ error: 'no such document in that chat' });
    res.attachment(file.fileName).send(file.content);
  });

  app.get('/api/checkout/:invoiceId', (req, res) => {
    const invoice = smartypay.invoices.get(req.params.invoiceId);
    if (!invoice) return void res.status(404).json({ error: 'no such invoice at the SMARTy Pay simulator' });
    res.json({
      id: invoice.id,
      amount: invoice.amount,
      token: invoice.token,
      status: invoice.status,
      expiresAt: invoice.expiresAt.toISOString(),
      paidAmount: invoice.paidAmount,
    });
  });

  app.post('/api/checkout/:invoiceId/:action', async (req, res) => {
    res.json(await checkout.act(req.params.invoiceId, action.parse(req.params.action)));
  });

  app.post('/api/clock/advance', async (req, res) => {
    await checkout.advanceClock(advanceBody.parse(req.body).minutes * 60_000);
    res.json({ now: clock.now().toISOString(), offsetMs: clock.offsetMs() });
  });

  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const known = error instanceof z.ZodError || error instanceof RangeError;
    const status = known ? 400 : typeof error?.status === 'number' ? error.status : 500;
    res.status(status).json({ error: error instanceof z.ZodError ? z.prettifyError(error) : String(error?.message) });
  };
  app.use(onError);
  return app;
}
