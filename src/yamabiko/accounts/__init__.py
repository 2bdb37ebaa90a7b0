"""Authors' accounts: the optional second factor (TOTP and recovery codes) for admin logins.

The devices are django-otp's (``otp_totp``, ``otp_static``); this app owns the flows around
them: setting up, the second step after the password, and turning it off.
"""
