"""Supervision (giám sát): superior attendance, petitions (kiến nghị), rotating self-criticism."""
