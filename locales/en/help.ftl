# /start, /help and /tokens. Telegram HTML: escape < > & in literal text.
help-usage =
    <b>Take a crypto payment in this chat</b>
    <code>/pay &lt;amount&gt; [token] [description]</code>

    Examples:
    <code>/pay 12.5</code> (in the default token, { $defaultToken })
    <code>/pay 0.99 { $otherToken } Coffee and a croissant</code>

    I reply with a Pay button and confirm here when the payment arrives.
    Tokens: { $tokens } (/tokens)
help-commands =
    <b>Commands</b>
    /status 12 — an invoice's status (or reply /status to its card)
    /invoices — this chat's invoices, newest first
    /cancel 12 — cancel an unpaid invoice (or reply /cancel to its card)
    /stats — created, paid, conversion and volume
    /export — all invoices as a CSV file, sent to you privately
    /lang en|ru|auto — the language I use in this chat
    /tokens — accepted tokens
    /id — your user id and this chat's id

    Buttons on a card: 🔄 Check status asks SMARTy Pay right now; an expired card offers 🔁 Issue again.
    In any chat, even without me: type <code>@{ $bot } 10 { $defaultToken } coffee</code> and send the invoice.

    <b>Shop</b> (merchants, in a private chat with me)
    /newproduct 5 { $defaultToken } Photo pack — a product with a link anyone can open to buy it
    /setcontent CODE — as a reply to a message: what the product delivers after payment
    /addkeys CODE and one key per line — sell unique keys, one per sale; /keys CODE — how many are left
    /products — your products with sales and revenue
    /dashboard — the dashboard Mini App: charts, invoices, products, members, webhook deliveries
    /setaccess CODE @channel 30d — the product sells access to a private group or channel (I must be an admin there); no period = for life. Before it ends the buyer gets a renewal invoice; then I remove them
    /members CODE — who has access; /grant CODE user_id 30d — give it by hand; /revoke CODE user_id — end it now and remove them from the chat
    /purchases — for everyone: what you bought here, to get it again
help-setup =
    <b>🛠 Setup mode</b>
    No merchant is configured yet, so I make no invoices. To finish: send /id, put your user id in <code>MERCHANT_USER_IDS</code> and restart the bot.
tokens-title = <b>Accepted tokens</b>
tokens-item = • { $token }
tokens-item-default = • { $token } (default)
tokens-hint = Name one after the amount: <code>/pay 5 { $token }</code>
