# The shop: /newproduct, /setcontent, /products, a product's link (/start <code>), deliveries and sale notices.
# Telegram HTML: escape < > & in literal text.
shop-private-only = Products are managed in your private chat with me — open it and send the command there.
shop-newproduct-missing-title = Add a title after the amount — e.g. <code>/newproduct 5 { $token } Photo pack</code>
shop-newproduct-title-too-long = The title can be at most { $max } characters — e.g. <code>/newproduct 5 { $token } Photo pack</code>
shop-setcontent-usage = Reply to the message the product should deliver with <code>/setcontent { $code }</code> (its code from /products).
shop-setcontent-unsupported = I can deliver text, a photo, a document, a video, an audio file or a voice message — not this kind of message.
shop-not-found = You have no product with the code “{ $code }”. /products lists yours.
shop-content-set = ✅ Buyers of this product now get a copy of that message.
shop-card =
    🛍 <b>{ $title }</b>
    Price: <b>{ $price }</b>
    { $delivers }
    State: { $state }
    Code: <code>{ $code }</code>
    Link: { $link }
shop-card-delivers = Delivers: { $what }
shop-card-needs-content = Nothing is sold until it has content: reply to a message with <code>/setcontent { $code }</code>.
shop-delivers-none = nothing yet
shop-delivers-text = a text message
shop-delivers-photo = a photo
shop-delivers-document = a document
shop-delivers-video = a video
shop-delivers-audio = an audio file
shop-delivers-voice = a voice message
shop-state-active = on sale
shop-state-paused = paused
shop-state-deleted = deleted
shop-list-title = <b>Your products</b> (code · price · sales · revenue · stock · state)
shop-list-item = <code>{ $code }</code> · { $title } · { $price } · { $sales } · { $revenue } · { $stock } · { $state }
shop-list-stock = { $free } keys
shop-list-more = Showing the newest { $shown } of { $total }.
shop-list-empty = You have no products yet. Create one: <code>/newproduct 5 { $token } Photo pack</code>
shop-offer =
    🛍 <b>{ $title }</b>
    Price: <b>{ $price }</b>
    Pay the invoice below and I'll send it to you here right away.
shop-unknown-link = This link does not lead to a product. Ask the seller for a new one.
shop-gone = This product is no longer sold.
shop-paused = This product is paused for now. Try again later.
shop-not-ready = This product is not ready for sale yet. Try again later.
shop-invoice-open = Your invoice #{ $id } for this product is still open until { $at } — pay it with the button below.
shop-invoice-underpaid = Your invoice #{ $id } for this product is partly paid: { $received } of { $amount }. Finish it with “Pay the remaining” on its card (until { $at }); paying it in full again would be a second payment.
shop-sale-title = 💰 <b>Sale:</b> { $title } (<code>{ $code }</code>)
shop-sale-buyer = Buyer: { $name } { $username } (id <code>{ $id }</code>)
shop-sale-buyer-no-username = Buyer: { $name } (id <code>{ $id }</code>)
shop-sale-amount = Received: <b>{ $paid }</b> of { $due } · Invoice #{ $invoice }
shop-sale-underpaid = ⚠️ Partly paid: { $missing } missing. Nothing was delivered; the buyer can pay the rest from their invoice card.
shop-sale-invalid = ❌ <b>Payment failed:</b> { $title } (<code>{ $code }</code>) · Invoice #{ $invoice }. SMARTy Pay marked it invalid; nothing was delivered.
shop-sale-overpaid = ⚠️ Paid more than due.
shop-sale-other-token = ⚠️ Paid in another token than the price: check the amount.
shop-sale-late = ⚠️ Paid after the invoice had expired or was cancelled; delivered anyway.
shop-sale-while-paused = ⚠️ Paid while the product was { $state }; delivered anyway.
shop-sale-paid-short = ⚠️ SMARTy Pay marked it paid, but { $missing } is missing; delivered anyway.
shop-sale-paid-twice = ⚠️ Already paid with invoice #{ $other }, so nothing more was delivered: refund this payment to the buyer (an overpayment), or sort it out with them by hand.
shop-failed-unconfirmed = ⚠️ Sorry, SMARTy Pay did not confirm the invoice in time, so there is no invoice to pay. Please open the link again in a minute.
shop-button-pause = ⏸ Pause
shop-button-resume = ▶️ Resume
shop-button-delete = 🗑 Delete
shop-button-delete-yes = ✅ Yes, delete
shop-button-keep = ↩️ Keep it
shop-delete-question = Delete this product? Its link will say it is gone; its sales stay in /products.
shop-paused-done = ⏸ Paused: the link makes no invoices until you resume it.
shop-resumed-done = ▶️ On sale again.
shop-deleted-done = 🗑 Deleted.
shop-already-deleted = This product is deleted.
shop-key-delivered = 🔑 Your key for { $title }: <code>{ $key }</code>
shop-key-none = ⚠️ Your payment for { $title } arrived after the invoice had expired, and no key is left. The seller has been told and will sort it out with you: a refund or a key by hand.
shop-sale-key-sent = 🔑 One key was sent to the buyer.
shop-sale-no-key = ⚠️ No key was left for this payment: refund the buyer or send them a key by hand.
shop-delivers-keys = one key per sale (/addkeys)
shop-card-stock = Stock: { $free } keys
shop-addkeys-usage = Send the code and then one key per line, in one message — e.g. <code>/addkeys { $code }</code> and below it <code>KEY-1</code>, <code>KEY-2</code>
shop-addkeys-too-long = A key can be at most { $max } characters.
shop-addkeys-too-many = At most { $max } keys per message: send the rest in another.
shop-addkeys-done = 🔑 Added { $added } keys ({ $skipped } already there). Each sale now hands out one key.
shop-keys-usage = Which product? Send <code>/keys CODE</code> (codes are in /products).
shop-keys-counts = 🔑 { $title }: { $free } in stock, { $reserved } reserved for open invoices, { $sold } sold.
shop-sold-out = This product is sold out.
shop-purchases-title = <b>Your purchases</b> (tap one to get it again)
shop-purchases-item = • { $title } — { $amount } · Invoice #{ $invoice } · { $at }
shop-purchases-empty = You have bought nothing here yet. A seller's product link brings you here to buy.
shop-purchases-private = Your purchases are shown in your private chat with me: send /purchases there.
shop-button-again = 📦 { $title } (#{ $invoice })
shop-again-sent = Sent again.
shop-again-unknown = This is not one of your purchases.
shop-button-share = 📣 Share
shop-button-buy = 🛒 Buy
shop-post =
    🛍 <b>{ $title }</b>
    Price: <b>{ $price }</b>
    Tap Buy: I'll send you the invoice, and what you bought as soon as it is paid.
shop-inline-description = { $price } · Buy button to its link
