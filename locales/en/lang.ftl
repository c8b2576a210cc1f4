# /lang. { $language } is a language's own name: lang-name-en, lang-name-ru (the same in every locale).
lang-name-en = English
lang-name-ru = Русский
lang-current = This chat uses <b>{ $language }</b>. Change it: <code>/lang en</code>, <code>/lang ru</code>, or <code>/lang auto</code> to follow each person's Telegram language.
lang-current-auto = This chat follows each person's Telegram language (yours: <b>{ $language }</b>). One for everybody: <code>/lang en</code> or <code>/lang ru</code>.
lang-unknown = I don't know the language “{ $word }”. Languages: English, Русский — e.g. <code>/lang ru</code>
lang-set = Done: I speak English in this chat from now on. Messages already sent stay as they are.
lang-set-auto = Done: I follow each person's Telegram language in this chat from now on. Messages already sent stay as they are.
