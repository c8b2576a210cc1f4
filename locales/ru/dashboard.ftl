# /dashboard и кнопка меню чата (в сообщениях Telegram HTML: экранируйте < > & в обычном тексте).
dashboard-open = Ваша панель: платежи, счета, товары и участники — прямо в Telegram.
dashboard-button = Открыть панель
dashboard-menu-button = Панель
dashboard-private-only = Панель открывается в личном чате со мной: отправьте /dashboard боту @{ $bot }.
dashboard-needs-public-url =
    Панель — это мини-приложение Telegram, которое отдаёт сам бот, поэтому Telegram нужен публичный адрес бота.
    Укажите в <code>PUBLIC_URL</code> адрес https://, по которому доступен бот (тот же, что у вебхука SMARTy Pay), и перезапустите его.
dashboard-needs-https =
    Telegram открывает мини-приложения только по адресу https://, а <code>PUBLIC_URL</code> сейчас { $url }.
    Поставьте бота за https (обратный прокси с сертификатом), укажите этот адрес в <code>PUBLIC_URL</code> и перезапустите.
