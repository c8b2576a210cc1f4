# The command menu next to the input field (setMyCommands): plain text, at most 256 characters.
menu-pay = Create a crypto invoice: /pay 12.5 bUSDT coffee
menu-status = An invoice's status: /status 12
menu-invoices = This chat's invoices
menu-cancel = Cancel an unpaid invoice: /cancel 12
menu-stats = Payments in numbers
menu-export = All invoices as CSV, sent privately
menu-newproduct = Sell something by link: /newproduct 5 bUSDT Photo pack
menu-setcontent = Reply to a message: what a product delivers
menu-addkeys = Keys to sell, one per line: /addkeys CODE
menu-keys = A product's keys in stock, reserved, sold
menu-products = Your products, sales and revenue
menu-purchases = What you bought, to get it again
menu-lang = Language in this chat: /lang en|ru|auto
menu-id = Your user id and this chat's id
menu-tokens = Tokens this bot accepts
menu-help = How to take payments
