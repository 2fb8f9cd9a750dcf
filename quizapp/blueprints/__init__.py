"""Thin views: parse the form, call a service, render or redirect."""
