"""The access log: an append-only record of every read and change of patient data, and of sign-ins."""
