# /dashboard and the chat menu button (Telegram HTML in messages: escape < > & in literal text).
dashboard-open = Your dashboard: payments, invoices, products and members, inside Telegram.
dashboard-button = Open the dashboard
dashboard-menu-button = Dashboard
dashboard-private-only = The dashboard opens in our private chat: send /dashboard to @{ $bot }.
dashboard-needs-public-url =
    The dashboard is a Telegram Mini App served by this bot, so Telegram needs the bot's public address.
    Set <code>PUBLIC_URL</code> to the https:// address that reaches this bot (the one SMARTy Pay's webhook uses) and restart.
dashboard-needs-https =
    Telegram opens a Mini App only from an https:// address, and <code>PUBLIC_URL</code> is { $url }.
    Put the bot behind https (a reverse proxy with a certificate), set <code>PUBLIC_URL</code> to that address and restart.
