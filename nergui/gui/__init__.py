"""The Qt desktop app: thin widgets over ``nergui.core``."""
