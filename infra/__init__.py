"""Infrastructure: settings, PostgreSQL (embedded or external), tenancy, event mapping, wiring."""
