# /id: идентификаторы для MERCHANT_USER_IDS / MERCHANT_CHAT_IDS. Telegram HTML.
id-user = Ваш user id: <code>{ $userId }</code>
id-chat = Id этого чата: <code>{ $chatId }</code>
id-anonymous = Вы пишете анонимно от имени группы, поэтому я не вижу ваш user id. Отправьте /id мне в личные сообщения, чтобы его узнать.
id-sender-chat = Вы пишете от имени канала или группы (<code>{ $senderChatId }</code>), поэтому я не вижу ваш user id.
id-setup-user = Чтобы стать продавцом в этом боте, впишите свой user id в <code>MERCHANT_USER_IDS</code> и перезапустите бота.
id-setup-chat = Чтобы счета здесь могли выставлять и администраторы группы, впишите id чата ещё и в <code>MERCHANT_CHAT_IDS</code>.
