"""pygame rendering: fonts, display lists, header, ticker and whole frames.

Only this package and :mod:`player.runtime` import pygame. Surfaces made here are plain
software surfaces; the app loop alone blits them to the display.
"""
