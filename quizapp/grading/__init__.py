"""Question types: one module per type, registered by name in ``registry``."""
