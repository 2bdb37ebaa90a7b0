"""The demo site's sample content: a small, lived-in blog to try Yamabiko on."""

from yamabiko.posts.demo.load import demo_load

__all__ = ["demo_load"]
