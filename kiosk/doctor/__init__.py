"""`kiosk doctor`: a technician's checks, each ok, warn or fail with the fix in words, and a
diagnostics bundle with every secret removed."""
