# Платный доступ в закрытую группу или канал: /setaccess, строка о доступе в карточке товара.
access-setaccess-usage = Укажите товар, чат и, если доступ должен заканчиваться, срок — например, <code>/setaccess { $code } -1001234567890 30d</code> или <code>/setaccess { $code } @mychannel 12h</code>. Без срока — навсегда.
access-bad-chat = Чат — это числовой id, начинающийся с -100, или публичный @username — например, <code>/setaccess { $code } @mychannel 30d</code>
access-bad-period = Срок — число с d, h или m (дни, часы, минуты), от 1m до 10 лет — например, <code>30d</code>, <code>12h</code>, <code>90m</code>.
access-chat-not-found = Не могу найти этот чат. Сначала добавьте меня туда администратором, потом попробуйте снова. Ничего не изменено.
access-not-a-group = Доступ можно продавать только в группу или канал. Ничего не изменено.
access-not-admin = Я не администратор в { $chat }. Назначьте меня с правами «Пригласительные ссылки» и «Блокировка участников», потом попробуйте снова. Ничего не изменено.
access-missing-right = Я администратор в { $chat }, но без права «{ $right }». Дайте мне его и попробуйте снова. Ничего не изменено.
access-right-can_invite_users = Пригласительные ссылки
access-right-can_restrict_members = Блокировка участников
access-set = ✅ Теперь покупатели этого товара получают доступ в { $chat } на { $period }.
access-card-line = Доступ в { $chat } на { $period }
access-period-life = навсегда
access-period-d = { $count ->
    [one] { $count } день
    [few] { $count } дня
   *[many] { $count } дней
}
access-period-h = { $count ->
    [one] { $count } час
    [few] { $count } часа
   *[many] { $count } часов
}
access-period-m = { $count ->
    [one] { $count } минуту
    [few] { $count } минуты
   *[many] { $count } минут
}
access-until = до { $at }
access-until-life = навсегда
access-invite = 🔑 Ваш доступ в { $chat } готов, { $until }. Нажмите кнопку и подайте заявку — я сразу её приму. Ссылка только ваша: по ней я больше никого не впущу.
access-extended = 🔑 Ваш доступ в { $chat } продлён, { $until }.
access-button-join = Вступить в { $chat }
access-ended = ⌛ Ваш доступ в { $chat } закончился, поэтому я вас оттуда удалил. Оплатите снова, чтобы вернуться.
access-button-buy-again = Купить снова
access-rights-lost = ⚠️ Я больше не могу удалять из { $chat } участников, у которых закончился доступ: мне нужны права администратора с «Блокировкой участников». Я продолжу попытки.
access-none = Этот товар пока не даёт доступа: задайте его командой <code>/setaccess { $code } @yourchannel 30d</code>.
access-members-usage = Укажите товар — например, <code>/members { $code }</code>
access-members-none = Через <code>{ $code }</code> пока ни у кого нет доступа в { $chat }.
access-members-title = <b>Доступ в { $chat }</b> (<code>{ $code }</code>): id пользователя · окончание · состояние
access-members-item = <code>{ $user }</code> · { $until } · { $state }
access-member-active = действует
access-member-soon = скоро закончится
access-member-ended = закончился, удаляю
access-member-removed = удалён
access-grant-usage = Укажите товар, id пользователя и срок (или <code>life</code>) — например, <code>/grant { $code } 123456789 30d</code>
access-granted = ✅ У пользователя <code>{ $user }</code> есть доступ в { $chat }, { $until }. Отправьте ему его личную ссылку: { $link }
access-revoke-usage = Укажите товар и id пользователя — например, <code>/revoke { $code } 123456789</code>
access-revoked = ✅ Доступ пользователя <code>{ $user }</code> закончен, я удалил его из чата.
access-revoked-kept = ✅ Доступ пользователя <code>{ $user }</code> закончен. Он остаётся в чате: администраторов, владельца и продавцов я никогда не удаляю.
access-revoked-not-in-chat = ✅ Доступ пользователя <code>{ $user }</code> закончен. В чате его нет.
access-revoked-retrying = ✅ Доступ пользователя <code>{ $user }</code> закончен. Telegram пока не дал мне его удалить — я продолжу попытки.
access-revoked-renewed = Пользователь <code>{ $user }</code> оплатил доступ в этот же момент, поэтому доступ остаётся.
access-revoke-none = У пользователя <code>{ $user }</code> нет действующего доступа через этот товар.
access-renewal = ⏳ Ваш доступ к { $chat } заканчивается { $at }. Чтобы остаться, оплатите счёт на продление №{ $invoice }: он продлит доступ от этой даты, ничего не пропадёт.
access-renewal-underpaid = ⏳ Ваш доступ к { $chat } заканчивается { $at }. Счёт на продление №{ $invoice } оплачен частично: доплатите кнопкой «Доплатить» на его карточке (полная сумма ещё раз была бы вторым платежом).
access-renewal-closed = ⏳ Ваш доступ к { $chat } заканчивается { $at }. Этот товар сейчас не продаётся, поэтому продлить доступ нельзя.
access-choose-chat = Нажмите кнопку и выберите канал или группу, доступ в которые продаёт <code>{ $code }</code>. Сначала добавьте меня туда администратором с правами «Пригласительные ссылки» и «Блокировка участников».
access-choose-channel = Выбрать канал
access-choose-group = Выбрать группу
access-set-period-hint = Чтобы задать, на сколько хватает оплаты: <code>/setaccess { $code } { $chat } 30d</code>
