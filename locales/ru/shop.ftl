# Магазин: /newproduct, /setcontent, /products, ссылка на товар (/start <код>), выдача покупки и уведомления о продажах.
shop-private-only = Товарами управляют в личном чате со мной — откройте его и отправьте команду там.
shop-newproduct-missing-title = Добавьте название после суммы — например, <code>/newproduct 5 { $token } Набор фото</code>
shop-newproduct-title-too-long = Название — не длиннее { $max } символов — например, <code>/newproduct 5 { $token } Набор фото</code>
shop-setcontent-usage = Ответьте на сообщение, которое должен получать покупатель, командой <code>/setcontent { $code }</code> (код товара — в /products).
shop-setcontent-unsupported = Я могу выдавать текст, фото, документ, видео, аудиофайл или голосовое сообщение — такое сообщение не подойдёт.
shop-not-found = У вас нет товара с кодом «{ $code }». Ваши товары — в /products.
shop-content-set = ✅ Теперь покупатели этого товара получат копию того сообщения.
shop-card =
    🛍 <b>{ $title }</b>
    Цена: <b>{ $price }</b>
    { $delivers }
    Состояние: { $state }
    Код: <code>{ $code }</code>
    Ссылка: { $link }
shop-card-delivers = Выдаёт: { $what }
shop-card-needs-content = Пока товару нечего выдавать, он не продаётся: ответьте на сообщение командой <code>/setcontent { $code }</code>.
shop-delivers-none = пока ничего
shop-delivers-text = текстовое сообщение
shop-delivers-photo = фото
shop-delivers-document = документ
shop-delivers-video = видео
shop-delivers-audio = аудиофайл
shop-delivers-voice = голосовое сообщение
shop-state-active = в продаже
shop-state-paused = приостановлен
shop-state-deleted = удалён
shop-list-title = <b>Ваши товары</b> (код · цена · продажи · выручка · в наличии · состояние)
shop-list-item = <code>{ $code }</code> · { $title } · { $price } · { $sales } · { $revenue } · { $stock } · { $state }
shop-list-stock = { $free } ключей
shop-list-more = Показаны { $shown } новых из { $total }.
shop-list-empty = Товаров пока нет. Создайте первый: <code>/newproduct 5 { $token } Набор фото</code>
shop-offer =
    🛍 <b>{ $title }</b>
    Цена: <b>{ $price }</b>
    Оплатите счёт ниже, и я сразу пришлю покупку сюда.
shop-unknown-link = Эта ссылка не ведёт ни к какому товару. Попросите у продавца новую.
shop-gone = Этот товар больше не продаётся.
shop-paused = Продажа этого товара приостановлена. Попробуйте позже.
shop-not-ready = Этот товар ещё не готов к продаже. Попробуйте позже.
shop-invoice-open = Ваш счёт №{ $id } за этот товар ещё открыт до { $at } — оплатите его кнопкой ниже.
shop-invoice-underpaid = Ваш счёт №{ $id } за этот товар оплачен частично: { $received } из { $amount }. Завершите оплату кнопкой «Доплатить» на его карточке (до { $at }); повторная полная оплата была бы вторым платежом.
shop-sale-title = 💰 <b>Продажа:</b> { $title } (<code>{ $code }</code>)
shop-sale-buyer = Покупатель: { $name } { $username } (id <code>{ $id }</code>)
shop-sale-buyer-no-username = Покупатель: { $name } (id <code>{ $id }</code>)
shop-sale-amount = Получено: <b>{ $paid }</b> из { $due } · Счёт №{ $invoice }
shop-sale-underpaid = ⚠️ Оплачен частично: не хватает { $missing }. Покупка не выдана; покупатель может доплатить с карточки счёта.
shop-sale-invalid = ❌ <b>Оплата не прошла:</b> { $title } (<code>{ $code }</code>) · Счёт №{ $invoice }. SMARTy Pay признал её недействительной; ничего не отправлено.
shop-sale-overpaid = ⚠️ Оплачен с переплатой.
shop-sale-other-token = ⚠️ Оплачен в другом токене, чем указан в цене: проверьте сумму.
shop-sale-late = ⚠️ Оплачен после того, как срок счёта истёк или счёт был отменён; покупка выдана.
shop-sale-while-paused = ⚠️ Оплачен, когда товар был { $state }; покупка выдана.
shop-sale-paid-short = ⚠️ SMARTy Pay отметил счёт оплаченным, но не хватает { $missing }; покупка выдана.
shop-sale-paid-twice = ⚠️ Заказ уже оплачен счётом №{ $other }, поэтому больше ничего не выдано: верните эту оплату покупателю (это переплата) или договоритесь с ним сами.
shop-failed-unconfirmed = ⚠️ Извините, SMARTy Pay не подтвердил счёт вовремя, так что оплачивать пока нечего. Откройте ссылку снова через минуту.
shop-button-pause = ⏸ Приостановить
shop-button-resume = ▶️ Возобновить
shop-button-delete = 🗑 Удалить
shop-button-delete-yes = ✅ Да, удалить
shop-button-keep = ↩️ Оставить
shop-delete-question = Удалить этот товар? Ссылка будет сообщать, что его больше нет; продажи останутся в /products.
shop-paused-done = ⏸ Приостановлен: по ссылке не выставляются счета, пока вы не возобновите продажу.
shop-resumed-done = ▶️ Снова в продаже.
shop-deleted-done = 🗑 Удалён.
shop-already-deleted = Этот товар удалён.
shop-key-delivered = 🔑 Ваш ключ для «{ $title }»: <code>{ $key }</code>
shop-key-none = ⚠️ Оплата за «{ $title }» пришла после того, как срок счёта истёк, и ключей не осталось. Продавец уже знает и свяжется с вами: вернёт деньги или пришлёт ключ сам.
shop-sale-key-sent = 🔑 Покупателю отправлен один ключ.
shop-sale-no-key = ⚠️ Для этой оплаты не осталось ключа: верните деньги покупателю или пришлите ему ключ сами.
shop-delivers-keys = по одному ключу на продажу (/addkeys)
shop-card-stock = В наличии: { $free } ключей
shop-addkeys-usage = Отправьте код и затем по ключу в строке, одним сообщением — например, <code>/addkeys { $code }</code> и ниже <code>KEY-1</code>, <code>KEY-2</code>
shop-addkeys-too-long = Ключ — не длиннее { $max } символов.
shop-addkeys-too-many = Не больше { $max } ключей в сообщении: остальные отправьте следующим.
shop-addkeys-done = 🔑 Добавлено ключей: { $added } (уже были: { $skipped }). Теперь каждая продажа выдаёт один ключ.
shop-keys-usage = Какой товар? Отправьте <code>/keys КОД</code> (коды — в /products).
shop-keys-counts = 🔑 { $title }: в наличии { $free }, зарезервировано за открытыми счетами { $reserved }, продано { $sold }.
shop-sold-out = Этот товар распродан.
shop-purchases-title = <b>Ваши покупки</b> (нажмите, чтобы получить снова)
shop-purchases-item = • { $title } — { $amount } · Счёт №{ $invoice } · { $at }
shop-purchases-empty = Вы здесь ещё ничего не купили. Ссылка продавца на товар приведёт вас сюда за покупкой.
shop-purchases-private = Ваши покупки — в личном чате со мной: отправьте /purchases там.
shop-button-again = 📦 { $title } (№{ $invoice })
shop-again-sent = Отправлено снова.
shop-again-unknown = Это не ваша покупка.
shop-button-share = 📣 Поделиться
shop-button-buy = 🛒 Купить
shop-post =
    🛍 <b>{ $title }</b>
    Цена: <b>{ $price }</b>
    Нажмите «Купить»: я пришлю счёт, а покупку — сразу после оплаты.
shop-inline-description = { $price } · кнопка «Купить» со ссылкой на товар
