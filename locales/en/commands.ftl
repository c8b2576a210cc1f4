# The command menu next to the input field (setMyCommands): plain text, at most 256 characters.
menu-pay = Create a crypto invoice: /pay 12.5 bUSDT coffee
menu-tokens = Tokens this bot accepts
menu-help = How to take payments
