"""The app's screens: the sale screen and the sheets it opens."""
