# /lang. { $language } — название языка на нём самом: lang-name-en, lang-name-ru (одинаковые во всех языках).
lang-name-en = English
lang-name-ru = Русский
lang-current = Язык этого чата — <b>{ $language }</b>. Изменить: <code>/lang en</code>, <code>/lang ru</code> или <code>/lang auto</code>, чтобы у каждого был язык его Telegram.
lang-current-auto = В этом чате у каждого язык его Telegram (у вас — <b>{ $language }</b>). Один для всех: <code>/lang en</code> или <code>/lang ru</code>.
lang-unknown = Я не знаю язык «{ $word }». Языки: English, Русский — например, <code>/lang ru</code>
lang-set = Готово: теперь в этом чате я говорю по-русски. Уже отправленные сообщения останутся как были.
lang-set-auto = Готово: теперь в этом чате у каждого язык его Telegram. Уже отправленные сообщения останутся как были.
