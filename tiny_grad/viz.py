"""Placeholder: replaced by the drawing module."""

def draw_graph(root, **kw):
    raise NotImplementedError

def save_graph(dot, path, format=None):
    raise NotImplementedError
