# Paid access to a private group or channel: /setaccess, the product card's access line.
# Telegram HTML: escape < > & in literal text.
access-setaccess-usage = Name the product, the chat and, if access should end, a period — e.g. <code>/setaccess { $code } -1001234567890 30d</code> or <code>/setaccess { $code } @mychannel 12h</code>. No period = for life.
access-bad-chat = The chat must be a numeric id starting with -100 or a public @username — e.g. <code>/setaccess { $code } @mychannel 30d</code>
access-bad-period = A period is a number with d, h or m (days, hours, minutes), from 1m to 10 years — e.g. <code>30d</code>, <code>12h</code>, <code>90m</code>.
access-chat-not-found = I can’t find that chat. Add me to it as an administrator first, then try again. Nothing was changed.
access-not-a-group = Access can only be sold to a group or a channel. Nothing was changed.
access-not-admin = I am not an administrator of { $chat }. Make me one with “Invite users” and “Ban users” rights, then try again. Nothing was changed.
access-missing-right = I am an administrator of { $chat }, but without the right “{ $right }”. Give it to me, then try again. Nothing was changed.
access-right-can_invite_users = Invite users via link
access-right-can_restrict_members = Ban users
access-set = ✅ Buyers of this product now get access to { $chat } for { $period }.
access-card-line = Access to { $chat } for { $period }
access-period-life = life
access-period-d = { $count ->
    [one] { $count } day
   *[other] { $count } days
}
access-period-h = { $count ->
    [one] { $count } hour
   *[other] { $count } hours
}
access-period-m = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
access-until = until { $at }
access-until-life = for life
access-invite = 🔑 Your access to { $chat } is ready, { $until }. Tap the button and ask to join — I let you in right away. The link is yours alone: I let in nobody else with it.
access-extended = 🔑 Your access to { $chat } is extended, { $until }.
access-button-join = Join { $chat }
access-ended = ⌛ Your access to { $chat } has ended, so I removed you from it. Pay again to come back.
access-button-buy-again = Buy again
access-rights-lost = ⚠️ I can no longer remove members whose access ended from { $chat }: I need to be an administrator there with “Ban users”. I will keep trying.
access-none = This product grants no access yet: <code>/setaccess { $code } @yourchannel 30d</code> sets it.
access-members-usage = Name the product — e.g. <code>/members { $code }</code>
access-members-none = Nobody has access to { $chat } through <code>{ $code }</code> yet.
access-members-title = <b>Access to { $chat }</b> (<code>{ $code }</code>): user id · end · state
access-members-item = <code>{ $user }</code> · { $until } · { $state }
access-member-active = active
access-member-soon = lapsing soon
access-member-ended = ended, being removed
access-member-removed = removed
access-grant-usage = Name the product, the user id and a period (or <code>life</code>) — e.g. <code>/grant { $code } 123456789 30d</code>
access-granted = ✅ User <code>{ $user }</code> has access to { $chat }, { $until }. Send them their personal link: { $link }
access-revoke-usage = Name the product and the user id — e.g. <code>/revoke { $code } 123456789</code>
access-revoked = ✅ The access of user <code>{ $user }</code> has ended and I removed them from the chat.
access-revoked-kept = ✅ The access of user <code>{ $user }</code> has ended. They stay in the chat: administrators, the owner and merchants are never removed.
access-revoked-not-in-chat = ✅ The access of user <code>{ $user }</code> has ended. They are not in the chat.
access-revoked-retrying = ✅ The access of user <code>{ $user }</code> has ended. Telegram did not let me remove them just now; I keep trying.
access-revoked-renewed = User <code>{ $user }</code> paid for their access at this very moment, so they keep it.
access-revoke-none = User <code>{ $user }</code> has no active access through this product.
access-renewal = ⏳ Your access to { $chat } ends { $at }. To stay, pay renewal invoice #{ $invoice }: it extends your access from that end, nothing is lost.
access-renewal-underpaid = ⏳ Your access to { $chat } ends { $at }. Renewal invoice #{ $invoice } is part-paid: finish it with “Pay the remaining” on its card (paying its full amount again would be a second payment).
access-renewal-closed = ⏳ Your access to { $chat } ends { $at }. This product is not on sale now, so it cannot be renewed.
access-choose-chat = Tap a button and pick the channel or group whose access <code>{ $code }</code> sells. Add me there as an administrator with “Invite users via link” and “Ban users” first.
access-choose-channel = Choose channel
access-choose-group = Choose group
access-set-period-hint = To set how long a payment lasts: <code>/setaccess { $code } { $chat } 30d</code>
