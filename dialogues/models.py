"""Dialogues, concerns, the situational picture and indicators (SPEC §3) arrive here."""
