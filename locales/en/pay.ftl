# Answers to /pay. A refusal is one line with one example; the bot gives every refusal { $word } (what was typed),
# { $token } (the default token), { $tokens } (all accepted), { $max } (a limit) and { $command } (pay, or newproduct).
pay-missing-amount = Add the amount — e.g. <code>/{ $command } 5 { $token } coffee</code>
pay-not-a-number = “{ $word }” is not an amount — e.g. <code>/{ $command } 2.5 { $token } coffee</code>
pay-not-positive = The amount must be more than zero — e.g. <code>/{ $command } 5 { $token } coffee</code>
pay-too-many-decimals = At most { $max } digits after the decimal point — e.g. <code>/{ $command } 2.5 { $token } coffee</code>
pay-too-large = The amount can be at most one billion — e.g. <code>/{ $command } 5 { $token } coffee</code>
pay-ambiguous-amount = “{ $word }” can be read two ways. Write the amount without thousands separators — e.g. <code>/{ $command } 1000 { $token }</code>
pay-unknown-token = I don't know the token “{ $word }”. Tokens: { $tokens } — e.g. <code>/{ $command } 5 { $token } coffee</code>
pay-token-not-accepted = This bot does not take { $word }. Tokens: { $tokens } — e.g. <code>/{ $command } 5 { $token } coffee</code>
pay-description-too-long = The description can be at most { $max } characters — e.g. <code>/{ $command } 5 { $token } coffee</code>
pay-failed-timeout = ⚠️ Sorry, SMARTy Pay did not answer in time, so no invoice was created. Please try again in a minute.
pay-failed = ⚠️ Sorry, something went wrong talking to SMARTy Pay, so no invoice was created. Please try again in a minute.
pay-rate-limited = ⏳ That's a lot of invoices: at most { $max } a minute per person. Please try again in a minute.
pay-busy = ⏳ The bot is making a lot of invoices right now, so no invoice was created. Please try again in a minute.
pay-failed-unconfirmed = ⚠️ Sorry, SMARTy Pay did not confirm the invoice in time, so there is no invoice card. Please try again in a minute with a new /pay. If SMARTy Pay did create the invoice and it gets paid, I will confirm the payment here.
