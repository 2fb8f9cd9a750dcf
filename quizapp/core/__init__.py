"""Pure domain logic: no Flask, no database; time and randomness are passed in."""
