"""Modules imported on first use: a shorter start for the command line.

Importing Twisted's reactor is three quarters of twisted-node's start, and a
quarter of that goes to modules most programs never touch:

- ``twisted.internet.ssl``: posixbase imports it for the old, pre-memory-BIO
  TLS fallback, which never runs when ``twisted.protocols.tls`` is there (it
  always is: pyOpenSSL is a dependency). It pulls in ``_sslverify`` and
  service_identity. Our TLS layer imports it when a program calls setSecure.
- ``http.cookiejar``: twisted.python.compat keeps a deprecated alias to it,
  and it pulls in urllib.request, http.client and the email package.
- ``cryptography.x509``: pyOpenSSL imports it for conversions to and from
  cryptography's certificate objects, which only run when TLS is in use.

A stand-in for each goes into sys.modules (and onto its package) before the
reactor is imported. The first attribute read on a stand-in imports the real
module, which from then on is what sys.modules and the package hold; the
stand-in forwards every read to it, for the modules that kept a reference.
importlib's LazyLoader cannot do this: twisted.internet.ssl replaces itself
in sys.modules (Twisted's deprecatedModuleAttribute), which LazyLoader
refuses.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

MODULES = ("twisted.internet.ssl", "http.cookiejar", "cryptography.x509")


class ModuleOnFirstUse(types.ModuleType):
    """Stands for the module named `name` until one of its attributes is read."""

    def __init__(self, name: str, spec) -> None:
        super().__init__(name)
        # The real spec, so importlib.util.find_spec and friends keep working;
        # __file__ too, which tools read without meaning to use the module.
        self.__spec__ = spec
        self.__file__ = spec.origin
        self.__loader__ = spec.loader
        if spec.submodule_search_locations is not None:
            # A package: its submodules import without loading it (the import
            # system reads __path__ from the parent in sys.modules, and would
            # run a submodule twice if that read loaded the package).
            self.__path__ = list(spec.submodule_search_locations)

    def __getattr__(self, attr: str):
        # Called only for attributes the stand-in itself lacks.
        return getattr(self._module(), attr)

    def __dir__(self):
        return dir(self._module())

    def _module(self) -> types.ModuleType:
        module = self.__dict__.get("_imported")
        if module is None:
            name = self.__name__
            # Gone from sys.modules first, or import_module would return the
            # stand-in. Two threads may both get here: pop() tolerates it, and
            # importlib's module lock runs the module's code once.
            if sys.modules.get(name) is self:
                sys.modules.pop(name, None)
            module = importlib.import_module(name)
            # Submodules imported through the stand-in were set on it, not on
            # the package, which found them in sys.modules.
            for key, value in list(self.__dict__.items()):
                if isinstance(value, types.ModuleType) and value.__name__ == f"{name}.{key}":
                    setattr(module, key, value)
            self.__dict__["_imported"] = module
        return module


def defer(names=MODULES) -> None:
    """Put a stand-in in place for each module of `names` not yet imported."""
    for name in names:
        if name in sys.modules:
            continue
        parent_name, _, child = name.rpartition(".")
        parent = importlib.import_module(parent_name)
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        stand_in = ModuleOnFirstUse(name, spec)
        sys.modules[name] = stand_in
        # As a real import leaves it: `from package import child` reads this.
        setattr(parent, child, stand_in)
