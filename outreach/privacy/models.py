"""The privacy app keeps no models of its own: the opt-out list moved to intake (it is read
low, at screening). Retention and anonymisation are in outreach.privacy.retention."""
