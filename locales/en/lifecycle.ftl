# What the bot tells the chat as an invoice lives: payments, the reminder, /cancel, button answers.
# { $what } is empty or " for <i>“…”</i>" (payment-for, with its leading space; the description cleaned to one line); amounts come formatted.
payment-for = for <i>“{ $description }”</i>
payment-received = ✅ Payment received: <b>{ $received }</b>{ $what }.
payment-received-after-expiry = ✅ Payment received (after the invoice had expired): <b>{ $received }</b>{ $what }.
payment-received-after-cancel = ✅ Payment received after the invoice was cancelled: <b>{ $received }</b>{ $what }. The customer paid anyway: deliver the order or refund them.
overpaid-excess = That is { $excess } more than the { $due } due; settle the difference with the customer.
overpaid-excess-unknown = That is more than was due; settle the difference with the customer.
# Partly paid: two short lines, what arrived (and what is missing), then what happens next.
underpaid = ⚠️ Partly paid{ $what }: <b>{ $received }</b> of <b>{ $due }</b> received.
underpaid-missing = ⚠️ Partly paid{ $what }: <b>{ $received }</b> of <b>{ $due }</b> received, { $missing } missing.
underpaid-next-rest = The customer can pay the rest with “Pay the remaining” on the card; I'll confirm here when it arrives.
underpaid-next = I keep checking until the invoice expires ({ $at }) and will confirm here if the rest arrives.
invalid-payment = ❌ The payment{ $what } failed: SMARTy Pay marked it invalid and nothing was credited to you. If the customer's wallet was charged, they should contact SMARTy Pay support. Issue a new invoice with /pay to try again.
# A shop buyer's own chat gets the same replies, addressed to them (the merchant gets the sale notice).
buyer-payment-received-after-cancel = ✅ Payment received after the invoice was cancelled: <b>{ $received }</b>{ $what }. The seller has been told.
buyer-overpaid-excess = That is { $excess } more than the { $due } due; the seller has been told and will settle the difference with you.
buyer-overpaid-excess-unknown = That is more than was due; the seller has been told and will settle the difference with you.
buyer-underpaid-next-rest = Pay the rest with “Pay the remaining” on the card; your order is delivered once it is paid in full.
buyer-underpaid-next = I keep checking until the invoice expires ({ $at }); your order is delivered if the rest arrives by then.
buyer-invalid-payment = ❌ The payment{ $what } failed: SMARTy Pay marked it invalid, so nothing was delivered. If your wallet was charged, contact SMARTy Pay support; to try again, open the product's link once more.
buyer-paid-short = Only { $paid } of the { $due } due arrived ({ $missing } missing); the seller has been told and will sort it out with you.
buyer-paid-twice = ⚠️ Invoice #{ $id } was paid too: <b>{ $received }</b>, but this order was already paid with invoice #{ $other }, so nothing more is delivered; the seller has been told and will refund you this payment.
reminder = ⏰ Reminder: invoice #{ $id } for <b>{ $amount }</b>{ $what } expires in { $minutes } min ({ $at }).

cancel-usage = Which invoice? Send <code>/cancel 12</code>, or reply <code>/cancel</code> to its card.
cancel-not-found = I can't find invoice #{ $id } in this chat.
cancel-done = 🚫 Invoice #{ $id } is cancelled and its Pay button is gone. SMARTy Pay cannot cancel it, so if the customer pays anyway I will report it here.
cancel-already-paid = Invoice #{ $id } is already paid; nothing changed.
cancel-already-expired = Invoice #{ $id } has already expired; nothing changed.
cancel-already-cancelled = Invoice #{ $id } is already cancelled.
# { $status } is the status as /status names it ("⚠️ Partly paid").
cancel-not-open = Invoice #{ $id } can no longer be cancelled (status: { $status }); nothing changed.

check-waiting = ⏳ Still waiting for the payment.
check-paid = ✅ Paid.
check-underpaid = ⚠️ Partly paid.
check-invalid = ❌ The payment failed.
check-expired = ⌛ This invoice has expired.
check-cancelled = 🚫 This invoice was cancelled.
check-throttled = Checked a moment ago. Try again in a few seconds.
check-failed = ⚠️ SMARTy Pay did not answer just now. Try again in a minute.
check-unknown = This invoice is not in this chat.

again-issued = 🧾 New invoice #{ $id } issued.
again-duplicate = A new invoice was already issued for this one.
again-not-expired = Only an expired invoice can be issued again.
again-failed = ⚠️ SMARTy Pay did not create the invoice. Try again in a minute.
check-limited = ⏳ You've checked a lot of invoices: at most { $max } a minute. The card updates by itself when the payment arrives.
check-busy = ⏳ Lots of checks right now. The card updates by itself when the payment arrives; try again in a minute.

# A Paid short of the amount, and a sale paid in two parts ("Pay the remaining").
paid-short = ⚠️ SMARTy Pay marked it paid, but only { $paid } of the { $due } due arrived ({ $missing } missing): check the payment in SMARTy Pay before you deliver.
payment-received-parts = ✅ Payment received: <b>{ $total }</b> ({ $first } + { $second }){ $what }.
remainder-paid-after-full = ⚠️ Invoice #{ $id } for the rest of #{ $original } was paid: <b>{ $received }</b>, but #{ $original } had already been paid in full. That is { $received } more than due; settle it with the customer.
original-paid-after-remainder = ⚠️ Invoice #{ $id } has now been paid in full on its own: <b>{ $received }</b> received, although its rest was already paid with invoice #{ $remainder }. The customer paid more than due; settle the difference with them.
rest-issued = 🧾 Invoice #{ $id } for the remaining { $amount } issued.
rest-duplicate = The remaining amount already has invoice #{ $id }.
rest-unavailable = Nothing is left to pay on this invoice.
rest-failed = ⚠️ SMARTy Pay did not create the invoice for the rest. Try again in a minute.
