"""The one root of Yamabiko's own errors; interfaces translate them for their audience."""


class YamabikoError(Exception):
    """Base for every error Yamabiko raises on purpose."""


class ConfigurationError(YamabikoError):
    """The environment asks for something that cannot work; the message says what to fix."""


class NotFound(YamabikoError):
    """A thing named by the caller does not exist."""


class InvalidInput(YamabikoError):
    """The caller's input was refused; nothing was changed."""
