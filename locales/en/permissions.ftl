perm-not-merchant = Sorry, only this shop's merchants can do that.
perm-not-admin = Sorry, only this group's admins can do that.
perm-unknown-user = Sorry, I can't tell who you are; write from your own account to do that.
