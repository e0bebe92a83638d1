"""Zero-touch provisioning: one kiosk.toml with store, keys, WiFi, reader and staff, applied whole.

schema.py validates the file as a whole into a Plan (or every problem, by dotted path); apply.py
carries the plan out step by step through the modules that own each step; scrub.py rewrites the
source file without its secrets; report.py writes kiosk-provisioned.txt beside it.
"""
