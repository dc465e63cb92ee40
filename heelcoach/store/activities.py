"""Tables for imported activities (owned by the watch-data work)."""
