"""Card payments: the reader Protocol the app talks to, and a simulated reader beside it."""
