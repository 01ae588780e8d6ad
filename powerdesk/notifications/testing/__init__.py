"""Local stand-ins for the providers (an SMTP server, Mitake's SmSend) and the ledger that
counts what they receive; used by the reliability tests, the benchmark and the demo."""
