# /start, /help and /tokens. Telegram HTML: escape < > & in literal text.
help-usage =
    <b>Take a crypto payment in this chat</b>
    <code>/pay &lt;amount&gt; [token] [description]</code>

    Examples:
    <code>/pay 12.5</code> (in the default token, { $defaultToken })
    <code>/pay 0,99 { $otherToken } Coffee and a croissant</code>

    I reply with a Pay button and confirm here when the payment arrives.
    Tokens: { $tokens } (/tokens)
tokens-title = <b>Accepted tokens</b>
tokens-item = • { $token }
tokens-item-default = • { $token } (default)
tokens-hint = Name one after the amount: <code>/pay 5 { $token }</code>
