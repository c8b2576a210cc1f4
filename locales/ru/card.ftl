card-title = 🧾 <b>Счёт №{ $id }</b>
# { $description } — текст продавца, очищенный до одной строки и экранированный: всегда в кавычках, не жирным.
card-for = За: <i>«{ $description }»</i>
card-expires = Действует до: { $at } (ещё { $minutes } мин)
card-footer = Оплата криптовалютой через SMARTy Pay. Это сообщение подтвердит оплату.
card-button-pay = 💳 Оплатить { $amount }
card-button-check = 🔄 Проверить статус
card-button-again = 🔁 Выставить снова
card-paid = ✅ <b>Оплачен</b> · счёт №{ $id }
card-overpaid = ✅ <b>Оплачен</b> (больше суммы) · счёт №{ $id }
card-underpaid = ⚠️ <b>Оплачен частично</b> · счёт №{ $id }
card-invalid = ❌ <b>Оплата не прошла</b> · счёт №{ $id }
card-expired = ⌛ <b>Срок истёк</b> · счёт №{ $id }
card-cancelled = 🚫 <b>Отменён</b> · счёт №{ $id }
card-cancelled-note = Продавец отменил этот счёт. Пожалуйста, не оплачивайте его.
card-received = Получено: <b>{ $amount }</b>
