"""Counter case management (CPS): applications, their standard time limits and progress."""
