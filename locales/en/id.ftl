# /id: the ids an operator puts in MERCHANT_USER_IDS / MERCHANT_CHAT_IDS. Telegram HTML.
id-user = Your user id: <code>{ $userId }</code>
id-chat = This chat's id: <code>{ $chatId }</code>
id-anonymous = You write anonymously as this group, so I can't see your user id. Send /id in a private chat with me to get it.
id-sender-chat = You write as a channel or group (<code>{ $senderChatId }</code>), so I can't see your user id.
id-setup-user = To become this bot's merchant, put your user id in <code>MERCHANT_USER_IDS</code> and restart the bot.
id-setup-chat = To let this group's admins issue invoices here too, also put the chat id in <code>MERCHANT_CHAT_IDS</code>.
