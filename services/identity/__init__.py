"""Identity: sign-in, tokens, passwords, login throttling and user accounts."""
