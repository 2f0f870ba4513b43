def init(target):
    target.picked = "m.py"
