"""Node.js v0.1 programs on Python: V8 (through STPyV8) runs the JavaScript,
Twisted does every bit of I/O."""

__version__ = "0.1.0"
