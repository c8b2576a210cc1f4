lang-current = This chat uses <b>{ $locale }</b> (set with /lang). Change it: <code>/lang en</code>, <code>/lang ru</code>, or <code>/lang auto</code> to follow each person's Telegram language.
lang-current-auto = This chat follows each person's Telegram language (now <b>{ $locale }</b>). Fix one for everybody: <code>/lang en</code> or <code>/lang ru</code>.
lang-unknown = I speak { $locales }. Use <code>/lang en</code>, <code>/lang ru</code> or <code>/lang auto</code>.
lang-set = Done: I'll speak English in this chat, payment messages included.
lang-set-auto = Done: I'll follow each person's Telegram language in this chat.
