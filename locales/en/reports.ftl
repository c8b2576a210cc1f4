# /status, /invoices, /stats and /export. Telegram HTML: escape < > & in literal text.
reports-failed = ⚠️ Sorry, something went wrong. Please try again in a minute.

reports-status-open = 🕓 Waiting for payment
reports-status-confirming = 🔄 Payment confirming
reports-status-expired = ⌛ Expired
reports-status-underpaid = ⚠️ Partly paid
reports-status-invalid = ❌ Payment failed
reports-status-paid = ✅ Paid
reports-status-overpaid = ✅ Paid (more than due)
reports-status-withdrawn = ✅ Paid (withdrawn)
reports-status-cancelled = 🚫 Cancelled
reports-status-unconfirmed = ❔ Not confirmed by SMARTy Pay
reports-status-other = ❔ { $status }

reports-age-min = { $n } min
reports-age-h = { $n } h
reports-age-d = { $n } d

status-usage = Which invoice? Send <code>/status 12</code>, or reply <code>/status</code> to its card.
status-not-found = There is no invoice #{ $id } in this chat.
status-not-an-invoice = That message is not an invoice of this chat. Reply to the invoice card, or send /status with the invoice number.
status-title = 🧾 <b>Invoice #{ $id }</b>
status-description = For: <i>“{ $description }”</i>
status-status = Status: { $status }
status-received = Received: <b>{ $amount }</b>
status-created = Created: { $time }
status-expires = Expires: { $time }
status-expired-at = Expired: { $time }
status-paid-at = Paid: { $time }
status-cancelled-at = Cancelled: { $time }

invoices-empty = No invoices in this chat yet. Create one with /pay.
invoices-title = 🧾 <b>Invoices in this chat</b>: { $from }–{ $to } of { $total }, newest first
invoices-line = #{ $id } · { $amount } · { $status } · { $age }
invoices-hint = Details: /status and the number.
invoices-newer = ‹ Newer
invoices-older = Older ›

stats-title = 📊 <b>Invoices in this chat</b>
stats-day = Last 24 hours
stats-week = Last 7 days
stats-all-time = All time
stats-counts = Created: { $created } · paid: { $paid } · expired: { $expired }
# { $percent } comes formatted: "42.9%" here, "42,9 %" in Russian.
stats-conversion = Conversion: { $percent }
stats-volume = Received: { $volume }
# One token of stats-volume when what arrived differs from what those invoices asked for.
stats-volume-due = { $received } (due { $due })
stats-volume-none = nothing yet

export-anonymous = I can't tell whom to send the file to. Send /export from your own account, not anonymously.
export-empty = No invoices in this chat yet, so there is nothing to export.
export-private-chat = private chat
export-caption = Invoices of { $chat }: { $count }, newest first.
export-truncated = Only the newest { $max } are included.
export-sent-privately = 📄 I sent you the CSV in a private chat.
export-start-private = I can't write to you privately yet. Open a private chat with me ({ $link }), press Start, then send /export here again.
