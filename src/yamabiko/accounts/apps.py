from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yamabiko.accounts"
    verbose_name = "Accounts"
