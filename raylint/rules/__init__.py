"""One module per rule, named after the rule; codes come from raylint.registry."""
