"""The second factor: an authenticator app (TOTP) and single-use recovery codes."""
