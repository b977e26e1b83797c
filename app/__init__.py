"""Pantau: tracks child online protection action plans."""
