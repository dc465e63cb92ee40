"""Exercise illustrations: a proportioned figure drawn from the joint-angle keyframes in the knowledge data.

Usage::

    from heelcoach.illustrate import render_png, render_svg
    from heelcoach.knowledge.illustrations import load_illustrations
    svg = render_svg(load_illustrations()["standing_calf_stretch"])
"""

from heelcoach.illustrate.render import frame_images, render_png, render_svg

__all__ = ["frame_images", "render_png", "render_svg"]
