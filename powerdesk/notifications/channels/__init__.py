"""Provider adapters: each speaks one real protocol (SMTP, Mitake's SmSend, a JSON webhook)."""
