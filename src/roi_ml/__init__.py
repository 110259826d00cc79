"""roi_ml: creator-marketing measurement from platform exports."""

__version__ = "0.1.0"
