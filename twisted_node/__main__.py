"""``python -m twisted_node app.js``: the same front door as ``twisted-node``."""

from twisted_node.cli import main

if __name__ == "__main__":
    main()
