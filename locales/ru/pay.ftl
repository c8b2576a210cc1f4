# Отказ на /pay — одна строка с одним примером.
pay-missing-amount = Укажите сумму — например, <code>/{ $command } 5 { $token } кофе</code>
pay-not-a-number = «{ $word }» не похоже на сумму — например, <code>/{ $command } 2,5 { $token } кофе</code>
pay-not-positive = Сумма должна быть больше нуля — например, <code>/{ $command } 5 { $token } кофе</code>
pay-too-many-decimals = После запятой можно не больше { $max } знаков — например, <code>/{ $command } 2,5 { $token } кофе</code>
pay-too-large = Сумма не может быть больше миллиарда — например, <code>/{ $command } 5 { $token } кофе</code>
pay-ambiguous-amount = «{ $word }» можно понять по-разному. Напишите сумму без разделителей разрядов — например, <code>/{ $command } 1000 { $token }</code>
pay-unknown-token = Я не знаю токен «{ $word }». Токены: { $tokens } — например, <code>/{ $command } 5 { $token } кофе</code>
pay-token-not-accepted = Этот бот не принимает { $word }. Токены: { $tokens } — например, <code>/{ $command } 5 { $token } кофе</code>
pay-description-too-long = Описание может быть не длиннее { $max } символов — например, <code>/{ $command } 5 { $token } кофе</code>
pay-failed-timeout = ⚠️ Извините, SMARTy Pay не ответил вовремя, и счёт не создан. Попробуйте ещё раз через минуту.
pay-failed = ⚠️ Извините, не удалось связаться со SMARTy Pay, и счёт не создан. Попробуйте ещё раз через минуту.
pay-rate-limited = ⏳ Слишком много счетов: не больше { $max } в минуту на человека. Попробуйте через минуту.
pay-busy = ⏳ Сейчас бот выставляет слишком много счетов, поэтому счёт не создан. Попробуйте через минуту.
pay-failed-unconfirmed = ⚠️ Извините, SMARTy Pay вовремя не подтвердил счёт, поэтому карточки счёта нет. Попробуйте через минуту новой командой /pay. Если SMARTy Pay всё же создал счёт и его оплатят, я подтвержу оплату здесь.
