import express from 'express';

// The p1 baseline: a bare Express 5 JSON endpoint, run as its own process (like the app) so both
// get the same CPU share. Usage: node --import tsx bench/baseline-server.ts <port>

const port = Number(process.argv[2] ?? 0);
const app = express();
app.disable('x-powered-by');
app.post('/webhooks/smartypay', express.json(), (_req, res) => {
  res.status(200).json({ ok: true });
});
const server = app.listen(port, '127.0.0.1', (error?: Error) => {
  if (error) throw error;
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
