"""The demo stores: the shipped demo catalog and a generator of large simulated catalogs."""
