"""Twilio: SMS and WhatsApp, its error codes, request signatures and status callbacks."""
