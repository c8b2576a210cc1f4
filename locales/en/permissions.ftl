perm-not-merchant = Sorry, only this shop's merchants can do that.
perm-not-admin = Sorry, only this group's admins can do that.
perm-unknown-user = Sorry, I can't tell who you are; write from your own account to do that.
perm-setup-mode = 🛠 This bot is in setup mode and makes no invoices yet. To finish: send /id to the bot, put your user id in MERCHANT_USER_IDS and restart it.
