"""The touchscreen app (Kivy). Only this package imports kivy; sale logic is in kiosk.counter."""
