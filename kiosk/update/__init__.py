"""Updates with rollback: RAUC's A/B slots, the boot health check, and the record of updates."""
