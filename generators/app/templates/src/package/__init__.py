"""<%- name %>: the example PyTorch training behind train.py, and a checker for sealed runs (validate.py)."""
