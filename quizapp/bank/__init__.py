"""The question bank: YAML files under questions/, their schema, loader and sync plan."""
