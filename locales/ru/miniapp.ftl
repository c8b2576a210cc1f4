# Панель (мини-приложение, src/miniapp/page/): обычный текст, вставляется как textContent (без HTML).
app-title = Панель
app-loading = Загрузка…
app-tab-overview = Обзор
app-tab-invoices = Счета
app-tab-products = Товары
app-tab-members = Доступ
app-tab-settings = Настройки
app-error-not-in-telegram = Откройте панель из Telegram: отправьте боту /dashboard и нажмите «Открыть панель».
app-error-invalid = Подпись Telegram у этого сеанса не подходит к этому боту, поэтому ничего не показано. Закройте панель и откройте её снова из бота.
app-error-expired = Этот сеанс слишком старый. Закройте панель и откройте её снова из бота.
app-error-not-merchant = Панель видят только продавцы этого бота. Попросите владельца добавить ваш user id (отправьте боту /id) в MERCHANT_USER_IDS.
app-error-setup-mode = Бот ещё не настроен: продавец не указан. Впишите свой user id в MERCHANT_USER_IDS и перезапустите бота.
app-error-failed = Панель не смогла это загрузить. Попробуйте чуть позже.
app-window-day = За 24 часа
app-window-week = За 7 дней
app-window-month = За 30 дней
app-counts = Выставлено: { $created } · оплачено: { $paid } · истекло: { $expired }
app-conversion = Конверсия: { $percent }
app-received-line = Получено: { $received }
app-nothing-received = Пока ничего не получено.
app-chart-title = Счета по дням за 30 дней (UTC)
app-chart-created = Выставлено
app-chart-paid = Оплачено
app-filter-status = Статус
app-filter-any-status = Любой статус
app-filter-chat = Чат
app-filter-any-chat = Все чаты
app-chat = Чат { $chat }
app-more = Показать ещё
app-no-invoices = Счетов пока нет.
app-invoice-number = Счёт №{ $id }
app-back = Счета
app-field-status = Статус
app-field-amount = Сумма
app-field-received = Получено
app-field-description = Описание
app-field-chat = Чат
app-field-created = Выставлен
app-field-expires = Истекает
app-field-paid = Оплачен
app-field-cancelled = Отменён
app-field-smartypay-id = Счёт в SMARTy Pay
app-deliveries-title = Вебхуки от SMARTy Pay
app-deliveries-none = Для этого счёта не пришло ни одного подписанного вебхука. Если он оплачен, проверьте адрес вебхука в настройках.
app-outcome-applied = применён
app-outcome-stale = устарел
app-outcome-duplicate = повтор
app-outcome-unknown_invoice = неизвестный счёт
app-repeats = { $repeats ->
    [one] доставлен повторно один раз, в { $first }
    [few] доставлен повторно { $repeats } раза, первый раз в { $first }, последний — во время выше
   *[other] доставлен повторно { $repeats } раз, первый раз в { $first }, последний — во время выше
}
app-outcome-ignored = пропущен
app-notifications-title = Что отправил бот
app-notifications-none = Пока ничего не отправлено.
app-outbox-pending = ждёт
app-outbox-sending = отправляется
app-outbox-sent = отправлено
app-outbox-skipped = пропущено
app-outbox-failed = не удалось
app-attempts = { $attempts ->
    [one] { $attempts } попытка
    [few] { $attempts } попытки
   *[other] { $attempts } попыток
}
app-status-Unconfirmed = Не подтверждён
app-status-Created = Ждёт оплаты
app-status-Confirming = Подтверждается
app-status-Paid = Оплачен
app-status-SimplePaid = Оплачен
app-status-OverPaid = Оплачен с переплатой
app-status-UnderPaid = Оплачен частично
app-status-Invalid = Недействителен
app-status-Expired = Срок истёк
app-status-Cancelled = Отменён
app-status-Withdrawn = Возвращён
app-no-products = Товаров пока нет.
app-product-new = Новый товар
app-product-title = Название
app-product-price = Цена
app-product-create = Создать
app-product-content-hint = Затем скажите боту, что товар выдаёт: ответьте /setcontent КОД на сообщение или добавьте ключи здесь.
app-product-edit = Изменить, добавить ключи
app-product-active = в продаже
app-product-paused = на паузе
app-product-pause = Пауза
app-product-resume = Продолжить
app-product-sales = Продажи: { $sales } · выручка: { $revenue }
app-product-stock = ключей в наличии: { $stock }
app-product-no-content = пока ничего не выдаёт: /setcontent { $code }
app-keys-placeholder = Ключи, по одному в строке
app-keys-add = Добавить ключи
app-save = Сохранить
app-saved = Сохранено.
app-invalid-input = Проверьте поля: название и положительная сумма в принимаемом токене.
app-action-failed = Не получилось. Попробуйте чуть позже.
app-members-active = Активен
app-members-lapsing = Заканчивается
app-members-removed = Удалён
app-members-none = Никого.
app-member = Пользователь { $user }
app-member-for-life = навсегда
app-revoke = Закрыть доступ
app-revoke-confirm = Закончить доступ пользователя { $user } сейчас? Вскоре после этого он будет удалён из чата.
app-revoked = Доступ закончен.
app-settings-tokens = Принимаемые токены
app-settings-tokens-value = { $tokens } (по умолчанию { $token })
app-settings-ttl = Срок счёта
app-settings-reminder = Напоминание до истечения
app-settings-reminder-off = выключено
app-minutes = { $minutes ->
    [one] { $minutes } минута
    [few] { $minutes } минуты
   *[other] { $minutes } минут
}
app-settings-webhook-url = Адрес вебхука SMARTy Pay
app-settings-no-public-url = неизвестен: укажите PUBLIC_URL
app-settings-last-webhook = Последний подписанный вебхук
app-settings-no-webhook = ещё не было
app-settings-hint = Вставьте адрес вебхука в кабинет SMARTy Pay. Эти значения берутся из окружения бота; меняйте их там и перезапускайте бота.
app-copy = Копировать
app-copied = Скопировано.
app-copy-failed = Не удалось скопировать: выделите адрес и скопируйте вручную.
