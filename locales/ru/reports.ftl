# /status, /invoices, /stats и /export. HTML Telegram: в обычном тексте экранируйте < > &.
reports-failed = ⚠️ Извините, что-то пошло не так. Попробуйте ещё раз через минуту.

reports-status-open = 🕓 Ожидает оплаты
reports-status-confirming = 🔄 Оплата подтверждается
reports-status-expired = ⌛ Срок истёк
reports-status-underpaid = ⚠️ Оплачен частично
reports-status-invalid = ❌ Оплата не прошла
reports-status-paid = ✅ Оплачен
reports-status-overpaid = ✅ Оплачен с переплатой
reports-status-withdrawn = ✅ Оплачен (средства выведены)
reports-status-cancelled = 🚫 Отменён
reports-status-unconfirmed = ❔ Не подтверждён SMARTy Pay
reports-status-other = ❔ { $status }

reports-age-min = { $n } мин
reports-age-h = { $n } ч
reports-age-d = { $n } дн.

status-usage = Какой счёт? Отправьте <code>/status 12</code> или ответьте <code>/status</code> на его карточку.
status-not-found = В этом чате нет счёта №{ $id }.
status-not-an-invoice = Это сообщение — не счёт этого чата. Ответьте на карточку счёта или отправьте /status с номером счёта.
status-title = 🧾 <b>Счёт №{ $id }</b>
status-description = За: <i>«{ $description }»</i>
status-status = Статус: { $status }
status-received = Получено: <b>{ $amount }</b>
status-created = Создан: { $time }
status-expires = Истекает: { $time }
status-expired-at = Истёк: { $time }
status-paid-at = Оплачен: { $time }
status-cancelled-at = Отменён: { $time }

invoices-empty = В этом чате ещё нет счетов. Создайте первый командой /pay.
invoices-title = 🧾 <b>Счета в этом чате</b>: { $from }–{ $to } из { $total }, сначала новые
invoices-line = №{ $id } · { $amount } · { $status } · { $age }
invoices-hint = Подробности: /status и номер счёта.
invoices-newer = ‹ Новее
invoices-older = Старше ›

stats-title = 📊 <b>Счета в этом чате</b>
stats-day = За 24 часа
stats-week = За 7 дней
stats-all-time = За всё время
stats-counts = Создано: { $created } · оплачено: { $paid } · истекло: { $expired }
# { $percent } приходит отформатированным: «42,9 %».
stats-conversion = Конверсия: { $percent }
stats-volume = Получено: { $volume }
# Один токен в stats-volume, когда получено не столько, сколько было в счетах.
stats-volume-due = { $received } (к оплате { $due })
stats-volume-none = пока ничего

export-anonymous = Не понимаю, кому отправить файл. Отправьте /export от своего аккаунта, а не анонимно.
export-empty = В этом чате ещё нет счетов, выгружать нечего.
export-private-chat = личный чат
export-caption = Счета чата { $chat }: { $count }, сначала новые.
export-truncated = Включены только последние { $max }.
export-sent-privately = 📄 Отправил вам CSV в личные сообщения.
export-start-private = Я пока не могу написать вам в личные сообщения. Откройте чат со мной ({ $link }), нажмите «Запустить», затем снова отправьте /export здесь.
