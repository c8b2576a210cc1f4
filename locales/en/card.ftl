# The invoice card. { $id } is the bot's invoice number (/cancel 12, /status 12); amounts come formatted
# ("14.5 bUSDT" here, "14,5 bUSDT" in Russian: src/views/numbers.ts). One term per thing, in every file:
# invoice · card · expires/expired · paid · partly paid (underpaid) · more than due (overpaid) · received · due ·
# missing · the remaining · cancelled · merchant · customer · token (the glossary: docs/architecture.md).
card-title = 🧾 <b>Invoice #{ $id }</b>
# { $description } is the merchant's text, cleaned to one line and escaped: always quoted, never bold.
card-for = For: <i>“{ $description }”</i>
card-expires = Expires: { $at } (in { $minutes } min)
card-footer = Pay with crypto through SMARTy Pay. This card updates when the payment arrives.
card-button-pay = 💳 Pay { $amount }
card-button-check = 🔄 Check status
card-button-again = 🔁 Issue again
card-paid = ✅ <b>Paid</b> · invoice #{ $id }
card-overpaid = ✅ <b>Paid</b> (more than due) · invoice #{ $id }
card-underpaid = ⚠️ <b>Partly paid</b> · invoice #{ $id }
card-invalid = ❌ <b>Payment failed</b> · invoice #{ $id }
card-expired = ⌛ <b>Expired</b> · invoice #{ $id }
card-cancelled = 🚫 <b>Cancelled</b> · invoice #{ $id }
card-cancelled-note = The merchant cancelled this invoice. Please do not pay it.
card-received = Received: <b>{ $amount }</b>
# "Pay the remaining" on a partly paid card, and the cards of a sale paid in two parts.
card-button-rest = 💳 Pay the remaining { $amount }
card-paid-in-parts = ✅ <b>Paid in two parts</b> · invoice #{ $id }
card-received-parts = Received: <b>{ $total }</b> ({ $first } + { $second })
card-remainder-of = The rest of invoice #{ $original }.
card-not-needed = ✅ <b>No longer needed</b> · invoice #{ $id }
card-not-needed-note = Invoice #{ $original } has been paid in full. Please do not pay this one.
card-paid-short = ⚠️ Received { $paid } of { $due }: check it in SMARTy Pay.
