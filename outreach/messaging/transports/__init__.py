"""The transports: how a message leaves (one module per transport, Twilio's parts together)."""
