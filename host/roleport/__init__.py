"""roleport: from an AWS profile to a console sign-in URL."""

__version__ = "0.1.0"
