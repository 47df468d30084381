"""Floorboard: a real-time wallboard and streaming KPI monitor for contact centres."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("floorboard")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
