help-usage =
    <b>Оплата криптовалютой прямо в этом чате</b>
    <code>/pay &lt;сумма&gt; [токен] [описание]</code>

    Примеры:
    <code>/pay 12.5</code> (в токене по умолчанию, { $defaultToken })
    <code>/pay 0,99 { $otherToken } Кофе и круассан</code>

    Я отвечу кнопкой «Оплатить» и подтвержу здесь, когда придёт оплата.
    Токены: { $tokens } (/tokens)
tokens-title = <b>Принимаемые токены</b>
tokens-item = • { $token }
tokens-item-default = • { $token } (по умолчанию)
tokens-hint = Укажите его после суммы: <code>/pay 5 { $token }</code>
