lang-current = В этом чате язык <b>{ $locale }</b> (выбран через /lang). Изменить: <code>/lang en</code>, <code>/lang ru</code> или <code>/lang auto</code>, чтобы следовать языку Telegram каждого.
lang-current-auto = Этот чат следует языку Telegram каждого (сейчас <b>{ $locale }</b>). Задать один для всех: <code>/lang en</code> или <code>/lang ru</code>.
lang-unknown = Я говорю на { $locales }. Используйте <code>/lang en</code>, <code>/lang ru</code> или <code>/lang auto</code>.
lang-set = Готово: в этом чате я говорю по-русски, включая сообщения об оплате.
lang-set-auto = Готово: в этом чате я следую языку Telegram каждого.
