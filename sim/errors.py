"""Errors raised on bad input.

Every problem with a scenario, an override or an input file raises
:class:`ConfigError`. The message is one line that names the key, says what is
allowed and what was given; the command line prints it and exits with status 2.
"""

__all__ = ["ConfigError"]


class ConfigError(ValueError):
    """Invalid scenario value, override or input file.

    Parameters
    ----------
    key : str
        The dotted parameter name the problem is about (``"network.n"``).
    message : str
        What is allowed and what was given, e.g. ``"must be an integer >= 1; got 0"``.

    Examples
    --------
    >>> str(ConfigError("network.n", "must be an integer >= 1; got 0"))
    'network.n must be an integer >= 1; got 0'
    """

    def __init__(self, key: str, message: str):
        self.key = key
        self.message = message
        super().__init__(f"{key} {message}" if key else message)
