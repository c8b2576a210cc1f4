# Инлайн-режим: `@bot 10 bUSDT кофе` в любом чате. { $money } — «10 bUSDT»; { $description } — экранированный HTML.
inline-hint = Введите счёт: 10 { $token } кофе
inline-invalid = ⚠️ Это не счёт. Пример: 10 { $token } кофе
inline-ambiguous-amount = ⚠️ Напишите сумму без разделителей: 1000 или 1,5
inline-result-title = Счёт: { $money }
inline-result-no-description = Отправить кнопку оплаты в этот чат
inline-preview-title = 🧾 <b>Счёт</b>
inline-preview-for = За: <i>«{ $description }»</i>
inline-preview-hint = Нажмите «Оплатить», чтобы получить ссылку на оплату.
inline-pay-button = 💳 Оплатить { $money }
inline-invoice-ready = Счёт готов — нажмите «Оплатить».
inline-draft-gone = Это предложение счёта больше недоступно. Попросите продавца выставить новый.
inline-rate-limited = ⏳ Слишком много счетов (лимит — { $max } в минуту). Попробуйте через минуту.
inline-offer-invalid = Это предложение больше не действует. Попросите продавца выставить новый счёт.
inline-busy = ⏳ Сейчас слишком много счетов. Попробуйте через минуту.
