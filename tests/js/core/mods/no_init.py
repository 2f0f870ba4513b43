"""Not an addon: no init(target)."""

VALUE = 1
