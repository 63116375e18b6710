"""The frozen app's entry point: the same ``nergui`` command as ``pip install`` gives."""

import multiprocessing
import sys

from nergui.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a child process of a frozen app must not start the app again
    sys.exit(main())
