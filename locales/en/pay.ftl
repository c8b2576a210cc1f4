# Answers to /pay. { $word } and { $max } are filled in by the bot.
pay-missing-amount = Tell me the amount to charge.
pay-not-a-number = The amount must be a number like 1.99 or 0,5.
pay-not-positive = The amount must be more than zero.
pay-too-many-decimals = The amount can have at most { $max } digits after the decimal point.
pay-too-large = The amount can be at most 1 000 000 000.
pay-ambiguous-amount = “{ $word }” can be read two ways. Write the amount without thousands separators: 1000 or 1.5.
pay-unknown-token = I don't know the token “{ $word }”. To start a description with that word, name the token first.
pay-token-not-accepted = This bot does not take { $word } payments.
pay-description-too-long = The description can be at most { $max } characters.
pay-failed-timeout = ⚠️ Sorry, SMARTy Pay did not answer in time, so no invoice was created. Please try again in a minute.
pay-failed = ⚠️ Sorry, something went wrong talking to SMARTy Pay, so no invoice was created. Please try again in a minute.
pay-rate-limited = ⏳ That's a lot of invoices: at most { $max } a minute per person. Please try again in a minute.
pay-busy = ⏳ The bot is making a lot of invoices right now, so no invoice was created. Please try again in a minute.
pay-failed-unconfirmed = ⚠️ Sorry, SMARTy Pay did not confirm the invoice in time, so there is no invoice card. Please try again in a minute with a new /pay. If SMARTy Pay did create the invoice and it gets paid, I will confirm the payment here.
