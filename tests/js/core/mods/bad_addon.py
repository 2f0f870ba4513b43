"""An addon whose init fails: require() throws its error."""


def init(target):
    raise ValueError("addon init failed on purpose")
