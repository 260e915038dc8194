"""The reservation core: plain Python, no Spyne, no HTTP, no SQL strings."""
