# Карточка счёта. Суммы приходят отформатированными («14,5 bUSDT»: src/views/numbers.ts). Один термин на одно
# понятие во всех файлах: счёт · карточка · истекает/истёк · оплачен · оплачен частично (частичная оплата) ·
# переплата · получено · к оплате · не хватает · доплатить (остаток) · отменён · продавец · покупатель · токен
# (глоссарий: docs/architecture.md).
card-title = 🧾 <b>Счёт №{ $id }</b>
# { $description } — текст продавца, очищенный до одной строки и экранированный: всегда в кавычках, не жирным.
card-for = За: <i>«{ $description }»</i>
card-expires = Истекает: { $at } (через { $minutes } мин)
card-footer = Оплата криптовалютой через SMARTy Pay. Карточка обновится, когда придёт оплата.
card-button-pay = 💳 Оплатить { $amount }
card-button-check = 🔄 Проверить статус
card-button-again = 🔁 Выставить снова
card-paid = ✅ <b>Оплачен</b> · счёт №{ $id }
card-overpaid = ✅ <b>Оплачен с переплатой</b> · счёт №{ $id }
card-underpaid = ⚠️ <b>Оплачен частично</b> · счёт №{ $id }
card-invalid = ❌ <b>Оплата не прошла</b> · счёт №{ $id }
card-expired = ⌛ <b>Срок истёк</b> · счёт №{ $id }
card-cancelled = 🚫 <b>Отменён</b> · счёт №{ $id }
card-cancelled-note = Продавец отменил этот счёт. Пожалуйста, не оплачивайте его.
card-received = Получено: <b>{ $amount }</b>
card-button-rest = 💳 Доплатить { $amount }
card-paid-in-parts = ✅ <b>Оплачен в два платежа</b> · счёт №{ $id }
card-received-parts = Получено: <b>{ $total }</b> ({ $first } + { $second })
card-remainder-of = Доплата по счёту №{ $original }.
card-not-needed = ✅ <b>Больше не нужен</b> · счёт №{ $id }
card-not-needed-note = Счёт №{ $original } оплачен полностью. Пожалуйста, не оплачивайте этот.
card-paid-short = ⚠️ Получено { $paid } из { $due }: проверьте в SMARTy Pay.
