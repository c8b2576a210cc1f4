# Inline mode: `@bot 10 bUSDT coffee` in any chat. { $money } is "10 bUSDT"; { $description } is escaped HTML.
inline-hint = Type an invoice: 10 { $token } coffee
inline-invalid = ⚠️ Not an invoice. Try: 10 { $token } coffee
inline-ambiguous-amount = ⚠️ Write the amount without separators: 1000 or 1.5
inline-result-title = Invoice: { $money }
inline-result-no-description = Send a Pay button to this chat
inline-preview-title = 🧾 <b>Invoice</b>
inline-preview-for = For: <i>“{ $description }”</i>
inline-preview-hint = Tap Pay to get the payment link.
inline-pay-button = 💳 Pay { $money }
inline-invoice-ready = Invoice ready — tap Pay.
inline-draft-gone = This invoice offer is no longer available. Ask the merchant for a new one.
inline-rate-limited = ⏳ Too many invoices (limit: { $max } a minute). Try again in a minute.
inline-offer-invalid = This offer is no longer valid. Ask the merchant for a new one.
inline-busy = ⏳ Too many invoices right now. Try again in a minute.
