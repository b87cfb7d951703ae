"""Provinces (tenants): the platform operator's provisioning routes."""
